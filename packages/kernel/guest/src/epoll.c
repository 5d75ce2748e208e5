/*
 * epoll, compared against native Linux (level-triggered): errors (EINVAL,
 * EBADF, EEXIST, ENOENT, EPERM for a regular file), readiness of pipe ends
 * (EPOLLIN with the user data, EPOLLOUT, EPOLLHUP after the writer
 * closes), EPOLLONESHOT until EPOLL_CTL_MOD, a closed descriptor leaving
 * the set, a timeout, a wait woken by a child's write, maxevents, and an
 * epoll instance inside another. Prints only facts that are the same on
 * every run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *err(int r) {
  if (r >= 0) return "ok";
  switch (errno) {
    case EINVAL: return "EINVAL";
    case EBADF: return "EBADF";
    case EEXIST: return "EEXIST";
    case ENOENT: return "ENOENT";
    case EPERM: return "EPERM";
    default: return "other";
  }
}

static void show(const char *what, int n, struct epoll_event *events) {
  printf("%s: %d", what, n);
  for (int i = 0; i < n; i++)
    printf(" [data %llu%s%s%s]", (unsigned long long)events[i].data.u64, events[i].events & EPOLLIN ? " IN" : "",
           events[i].events & EPOLLOUT ? " OUT" : "", events[i].events & EPOLLHUP ? " HUP" : "");
  printf("\n");
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  struct epoll_event ev, out[8];
  printf("epoll_create(0): %s\n", err(epoll_create(0)));
  printf("epoll_create1(bad flag): %s\n", err(epoll_create1(1)));
  int ep = epoll_create1(EPOLL_CLOEXEC);
  printf("epoll_create1(EPOLL_CLOEXEC): %s, FD_CLOEXEC %d\n", err(ep), fcntl(ep, F_GETFD) & FD_CLOEXEC);

  int p[2];
  pipe(p);
  memset(&ev, 0, sizeof ev);
  ev.events = EPOLLIN;
  ev.data.u64 = 42;
  printf("add read end: %s\n", err(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev)));
  printf("add it again: %s\n", err(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev)));
  printf("add the epoll fd to itself: %s\n", err(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev)));
  printf("add a bad fd: %s\n", err(epoll_ctl(ep, EPOLL_CTL_ADD, 99, &ev)));
  printf("ctl on a pipe as epfd: %s\n", err(epoll_ctl(p[0], EPOLL_CTL_ADD, p[1], &ev)));
  printf("delete a missing fd: %s\n", err(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], &ev)));
  printf("modify a missing fd: %s\n", err(epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev)));
  int regular = open("/proc/self/exe", O_RDONLY);
  printf("add a regular file: %s\n", err(epoll_ctl(ep, EPOLL_CTL_ADD, regular, &ev)));
  close(regular);
  printf("wait with maxevents 0: %s\n", err(epoll_wait(ep, out, 0, 0)));

  show("empty pipe, timeout 0", epoll_wait(ep, out, 8, 0), out);
  show("empty pipe, timeout 10 ms", epoll_wait(ep, out, 8, 10), out);
  write(p[1], "x", 1);
  show("after a write", epoll_wait(ep, out, 8, 0), out);
  show("still readable (level-triggered)", epoll_wait(ep, out, 8, 0), out);
  ev.events = EPOLLOUT;
  ev.data.u64 = 7;
  epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev);
  show("read and write ends", epoll_wait(ep, out, 8, 0), out);
  show("maxevents 1", epoll_wait(ep, out, 1, 0), out);
  epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL);
  char c;
  read(p[0], &c, 1);
  close(p[1]);
  show("writer closed", epoll_wait(ep, out, 8, 0), out);
  close(p[0]);
  show("read end closed", epoll_wait(ep, out, 8, 0), out);

  pipe(p);
  ev.events = EPOLLIN | EPOLLONESHOT;
  ev.data.u64 = 5;
  epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
  write(p[1], "yy", 2);
  show("oneshot first", epoll_wait(ep, out, 8, 0), out);
  show("oneshot again", epoll_wait(ep, out, 8, 0), out);
  ev.events = EPOLLIN;
  epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev);
  show("after EPOLL_CTL_MOD", epoll_wait(ep, out, 8, 0), out);
  read(p[0], &c, 1);
  read(p[0], &c, 1);

  int outer = epoll_create1(0);
  ev.events = EPOLLIN;
  ev.data.u64 = 99;
  epoll_ctl(outer, EPOLL_CTL_ADD, ep, &ev);
  show("outer, inner idle", epoll_wait(outer, out, 8, 0), out);
  pid_t child = fork();
  if (child == 0) {
    usleep(20000);
    write(p[1], "z", 1);
    _exit(0);
  }
  show("outer woken by the child's write", epoll_wait(outer, out, 8, 5000), out);
  show("inner", epoll_wait(ep, out, 8, 0), out);
  int status;
  waitpid(child, &status, 0);
  return 0;
}
