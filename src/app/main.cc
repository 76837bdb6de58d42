// mailpulse: one binary, subcommands. The composition root lives in app/.
#include <cstdio>

#include "app/cli.h"

int main(int argc, char** argv) { return mailpulse::RunCli(argc, argv); }
