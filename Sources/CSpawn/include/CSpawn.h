#ifndef CSPAWN_H
#define CSPAWN_H

#include <spawn.h>
#include <sys/types.h>

/// pipe2(fds, O_CLOEXEC): both ends close on exec, so no other child started meanwhile inherits them.
int cspawn_pipe_cloexec(int fds[2]);

/// Adds "close every descriptor from `low` up" to the actions (glibc 2.34+); ENOSYS where missing.
int cspawn_file_actions_addclosefrom(posix_spawn_file_actions_t *actions, int low);

/// getrandom(buffer, length, 0): the kernel's generator, which glibc declares in a header Swift's
/// Glibc module leaves out. Returns the bytes written, or -1 with errno.
ssize_t cspawn_getrandom(void *buffer, size_t length);

#endif
