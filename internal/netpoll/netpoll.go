// Package netpoll watches many sockets for readability with a few
// goroutines, so that an idle connection costs no goroutine and no buffer:
// the event-loop mode of package websocket (see websocket.Poller).
//
// A Poller is a set of loops. Each loop is an epoll instance (Linux) and
// one goroutine. A socket is registered with one loop, level-triggered for
// input (EPOLLIN, EPOLLRDHUP; hang-ups and errors are always reported):
// while it has something to read, its Handler's Ready runs on that loop's
// goroutine, once per turn of the loop, so the sockets of a loop take
// turns. A handler that reads a bounded amount per call is thus never able
// to starve the other sockets of its loop, whatever its peer sends: what
// it leaves unread makes the socket ready again at the next turn, after
// the others.
//
// The loop's goroutine does not block an OS thread: the epoll descriptor is
// itself watched by the Go runtime's network poller (an epoll descriptor is
// readable while events are pending), so a loop with nothing to do is a
// parked goroutine like any other, woken by the runtime.
//
// The sockets stay under the runtime's own poller too (they are ordinary
// net.Conns, written with Write); Linux allows one file in several epoll
// instances. Nobody reads them through the runtime while they are
// registered here, so its readiness notes for them are simply never used.
//
// Handlers must not block: a handler that has to wait (to write a reply to
// a slow peer, say) suspends its registration, waits on a goroutine of its
// own and resumes.
//
// On systems other than Linux, New returns ErrUnsupported.
package netpoll

import "errors"

// ErrUnsupported is returned by New where there is no epoll.
var ErrUnsupported = errors.New("netpoll: not supported on this system (Linux only)")

// ErrClosed is returned by Register once the poller is closed.
var ErrClosed = errors.New("netpoll: poller closed")

// Handler receives the events of a registered socket.
type Handler interface {
	// Ready runs on the loop's goroutine when the socket is readable, hung
	// up or in error, and after Wake or Resume. Calls for one
	// registration never overlap, and at most one happens per turn of the
	// loop. It must not block.
	Ready()

	// Stopped runs on the loop's goroutine, instead of Ready, when the
	// poller closes while the registration is active: the registration is
	// gone, and the socket is the handler's again.
	Stopped()
}
