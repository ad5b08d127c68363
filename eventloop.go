package websocket

import (
	"runtime"
	"sync"
)

// EventLoop runs tasks one at a time, in the order they were queued: it is
// the Go form of a browser's event loop. Every event of a WebSocket is a
// task of the socket's loop, so a socket's events never overlap, and the
// events of all the sockets that share a loop never overlap either, as in a
// page. Handlers run on the loop; they may call any method of any socket,
// but must not wait for anything that needs their own loop to go on (such
// as a socket's Done channel, or Run of the same loop): that deadlocks, as a
// blocking wait would in a browser.
//
// A loop holds no goroutine while it has nothing to do. The zero value is
// not usable; use NewEventLoop or Run.
type EventLoop struct {
	mu      sync.Mutex
	queue   []func()
	active  bool          // a goroutine is draining the queue
	refs    int           // live sockets and Run calls keeping the loop wanted
	idle    chan struct{} // closed when refs and queue are both empty
	onPanic func(typ string, v any)
}

// NewEventLoop returns an event loop that several sockets can share
// (Options.Loop), for a browser-like global order of their events.
func NewEventLoop() *EventLoop {
	return &EventLoop{}
}

// Run runs setup as the first task of a new event loop, then waits until
// every socket created on that loop has dispatched its close event and no
// task is left. Sockets created inside setup, or inside any handler on the
// loop, belong to it; since setup is a task of their loop, no event of theirs
// can be dispatched before it returns, so handlers set in it never miss one:
// the browser's guarantee, without a race. This is how the MDN example reads
// in Go:
//
//	websocket.Run(func() {
//		ws, err := websocket.New("ws://localhost:8080")
//		if err != nil {
//			log.Fatal(err)
//		}
//		ws.SetOnOpen(func(*websocket.Event) { ws.Send("Coucou le serveur !") })
//		ws.SetOnMessage(func(e *websocket.MessageEvent) { fmt.Println("Message du serveur", e.Data) })
//	})
func Run(setup func()) {
	NewEventLoop().Run(setup)
}

// Run queues setup as a task of l and waits until l has no live socket
// and no task left. It must not be called from a task of l.
func (l *EventLoop) Run(setup func()) {
	if currentLoop() == l {
		panic("websocket: EventLoop.Run called from a task of the same loop")
	}
	l.ref()
	l.post(func() {
		defer l.unref()
		setup()
	})
	l.wait()
}

// wait blocks until the loop has no refs and no task.
func (l *EventLoop) wait() {
	l.mu.Lock()
	if l.refs == 0 && len(l.queue) == 0 && !l.active {
		l.mu.Unlock()
		return
	}
	if l.idle == nil {
		l.idle = make(chan struct{})
	}
	ch := l.idle
	l.mu.Unlock()
	<-ch
}

// ref marks the loop as wanted by a live socket (or a Run).
func (l *EventLoop) ref() {
	l.mu.Lock()
	l.refs++
	l.mu.Unlock()
}

// unref undoes ref.
func (l *EventLoop) unref() {
	l.mu.Lock()
	l.refs--
	l.checkIdleLocked()
	l.mu.Unlock()
}

func (l *EventLoop) checkIdleLocked() {
	if l.refs == 0 && len(l.queue) == 0 && !l.active && l.idle != nil {
		close(l.idle)
		l.idle = nil
	}
}

// post queues a task. It never waits, and may be called from any goroutine,
// including from a task.
func (l *EventLoop) post(task func()) {
	l.mu.Lock()
	l.queue = append(l.queue, task)
	start := !l.active
	l.active = true
	l.mu.Unlock()
	if start {
		go l.drain()
	}
}

// drain runs queued tasks until none is left, then lets its goroutine end.
func (l *EventLoop) drain() {
	gid := goid()
	loops.Store(gid, l)
	defer loops.Delete(gid)
	for {
		l.mu.Lock()
		if len(l.queue) == 0 {
			l.active = false
			l.queue = nil
			l.checkIdleLocked()
			l.mu.Unlock()
			return
		}
		task := l.queue[0]
		l.queue[0] = nil
		l.queue = l.queue[1:]
		l.mu.Unlock()
		l.runTask(task)
	}
}

// runTask runs one task; a panic that escapes it (handlers' panics are
// caught by dispatch already) is reported and the loop goes on.
func (l *EventLoop) runTask(task func()) {
	defer func() {
		if v := recover(); v != nil {
			reportPanic(l.onPanic, "task", v)
		}
	}()
	task()
}

// loops maps the goroutine running a loop's tasks to the loop, so that New
// called from a handler (or from Run's setup) joins the caller's loop.
var loops sync.Map // int64 -> *EventLoop

// currentLoop returns the loop whose task the calling goroutine is running, or nil.
func currentLoop() *EventLoop {
	if v, ok := loops.Load(goid()); ok {
		return v.(*EventLoop)
	}
	return nil
}

// goid returns the calling goroutine's id, read from its stack header
// ("goroutine 123 [running]:"). The runtime offers no other way; it costs
// about a microsecond and is used only when a loop starts draining and when
// a socket is created.
func goid() int64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	const prefix = "goroutine "
	if len(b) < len(prefix) {
		return -1
	}
	var id int64
	for _, c := range b[len(prefix):] {
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + int64(c-'0')
	}
	return id
}
