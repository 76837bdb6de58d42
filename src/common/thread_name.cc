#include "common/thread_name.h"

#include <pthread.h>

namespace mailpulse {

void SetThreadName(const std::string& name) {
  std::string cut = name.substr(0, 15);
  (void)pthread_setname_np(pthread_self(), cut.c_str());
}

}  // namespace mailpulse
