#include "common/task_pool.h"

#include <latch>

#include "common/thread_name.h"

namespace mailpulse {

TaskPool::TaskPool(int threads, const std::string& name) {
  if (threads < 1) threads = 1;
  for (int i = 0; i < threads; ++i) {
    workers_.emplace_back([this, name, i] {
      SetThreadName(name + "-" + std::to_string(i));
      Work();
    });
  }
}

TaskPool::~TaskPool() {
  {
    std::lock_guard l(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_) t.join();
}

void TaskPool::Work() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock l(mu_);
      cv_.wait(l, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and drained
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

void TaskPool::RunAll(std::vector<std::function<void()>> tasks) {
  if (tasks.empty()) return;
  if (tasks.size() == 1) {  // nothing to overlap with: skip the hand-off
    tasks[0]();
    return;
  }
  std::latch done(static_cast<std::ptrdiff_t>(tasks.size()));
  {
    std::lock_guard l(mu_);
    for (auto& t : tasks) {
      queue_.push_back([&done, t = std::move(t)] {
        t();
        done.count_down();
      });
    }
  }
  cv_.notify_all();
  done.wait();
}

}  // namespace mailpulse
