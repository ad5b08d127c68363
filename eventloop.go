package websocket

import (
	"runtime"
	"sync"
	"time"
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
	mu     sync.Mutex
	queue  []task // queue[head:] are the tasks to run; nil while idle
	head   int
	active bool          // a drainer is draining the queue
	refs   int           // live sockets and Run calls keeping the loop wanted
	idle   chan struct{} // closed when refs and queue are both empty
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
	if l.refs == 0 && l.head == len(l.queue) && !l.active {
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
	if l.refs == 0 && l.head == len(l.queue) && !l.active && l.idle != nil {
		close(l.idle)
		l.idle = nil
	}
}

// task is a queued task: fn, or one of the socket's frequent tasks, kept
// as data rather than as a closure, so that queuing a message or a send
// report allocates nothing.
type task struct {
	fn   func()
	s    *socket
	data []byte
	n    uint64
	kind taskKind
	typ  uint8 // a MessageType
}

type taskKind uint8

const (
	taskFunc    taskKind = iota // fn()
	taskMessage                 // s.messageTask(typ, data)
	taskSent                    // s.sent(n)
)

// post queues a task. It never waits, and may be called from any goroutine,
// including from a task.
func (l *EventLoop) post(fn func()) { l.postTask(task{fn: fn}) }

// postTask queues t.
func (l *EventLoop) postTask(t task) {
	l.mu.Lock()
	if l.queue == nil {
		l.queue = getTaskQueue()
	}
	l.queue = append(l.queue, t)
	start := !l.active
	l.active = true
	l.mu.Unlock()
	if start {
		startDrain(l)
	}
}

// drain runs queued tasks until none is left. The queue's array goes back
// to a pool then, so that an idle loop holds none.
func (l *EventLoop) drain() {
	for {
		l.mu.Lock()
		if l.head == len(l.queue) {
			if l.queue != nil {
				putTaskQueue(l.queue)
			}
			l.queue, l.head = nil, 0
			l.active = false
			l.checkIdleLocked()
			l.mu.Unlock()
			return
		}
		t := l.queue[l.head]
		l.queue[l.head] = task{}
		l.head++
		if l.head == len(l.queue) {
			l.queue, l.head = l.queue[:0], 0
		}
		l.mu.Unlock()
		l.runTask(&t)
	}
}

// runTask runs one task; a panic that escapes it (handlers' panics are
// caught by dispatch already) is reported and the loop goes on.
func (l *EventLoop) runTask(t *task) {
	defer func() {
		if v := recover(); v != nil {
			reportPanic(nil, "task", v)
		}
	}()
	if t.kind == taskFunc {
		t.fn()
		return
	}
	any(t.s).(socketTasker).socketTask(t)
}

// socketTasker is a socket that runs the tasks of the kinds other than
// taskFunc, which only it queues.
type socketTasker interface{ socketTask(t *task) }

// taskQueues holds the arrays of the loops' queues while the loops are
// idle: an idle loop holds none, and a busy one takes one without
// allocating.
var taskQueues = sync.Pool{New: func() any { return new([taskQueueLen]task) }}

const taskQueueLen = 8

func getTaskQueue() []task { return taskQueues.Get().(*[taskQueueLen]task)[:0] }

func putTaskQueue(q []task) {
	if cap(q) == taskQueueLen { // else a burst's bigger array: let it go
		taskQueues.Put((*[taskQueueLen]task)(q[:taskQueueLen]))
	}
}

// A loop's tasks run on a drainer: a goroutine that takes an idle loop's
// tasks when the first one is queued, runs them until the queue is empty,
// then waits, idle, for another loop to drain. Handing the tasks of a loop
// to an idle drainer, rather than to a new goroutine, spares the goroutine's
// start and the growth of its stack to what the handlers use, at every burst
// of every socket. A drainer knows its goroutine's id, for currentLoop,
// from its start on: that costs a runtime.Stack once per drainer, not once
// per burst. Drainers idle for more than a sweep period end, so that a
// server at rest keeps none.
type drainer struct {
	loop *EventLoop      // the loop being drained; only its own goroutine uses it
	next chan *EventLoop // the next loop to drain, or nil to end
	gen  uint32          // the sweep generation it went idle in
}

// drainerSweep is how often idle drainers are looked at (sweepDrainers).
// While some are idle, their number changes at every sweep, so that a
// count of goroutines that stays the same for twice this long has none.
const drainerSweep = 40 * time.Millisecond

var drainers struct {
	mu    sync.Mutex
	idle  []*drainer // oldest first
	gen   uint32
	armed bool // the sweep timer is set
	timer *time.Timer
	byGID sync.Map // goroutine id -> *drainer
}

// startDrain hands l to an idle drainer, or to a new one.
func startDrain(l *EventLoop) {
	drainers.mu.Lock()
	if n := len(drainers.idle); n > 0 {
		d := drainers.idle[n-1]
		drainers.idle[n-1] = nil
		drainers.idle = drainers.idle[:n-1]
		drainers.mu.Unlock()
		d.next <- l // never waits: one slot, empty while idle
		return
	}
	drainers.mu.Unlock()
	go runDrainer(l)
}

// runDrainer is a drainer's goroutine.
func runDrainer(l *EventLoop) {
	d := &drainer{next: make(chan *EventLoop, 1)}
	gid := goid()
	drainers.byGID.Store(gid, d)
	defer drainers.byGID.Delete(gid)
	for l != nil {
		d.loop = l
		l.drain()
		d.loop = nil
		l = d.park()
	}
}

// park makes d idle and waits for its next loop (nil: end).
func (d *drainer) park() *EventLoop {
	drainers.mu.Lock()
	d.gen = drainers.gen
	drainers.idle = append(drainers.idle, d)
	if !drainers.armed {
		drainers.armed = true
		if drainers.timer == nil {
			drainers.timer = time.AfterFunc(drainerSweep, sweepDrainers)
		} else {
			drainers.timer.Reset(drainerSweep)
		}
	}
	drainers.mu.Unlock()
	return <-d.next
}

// sweepDrainers ends half of the drainers (rounded up) that stayed idle
// since the previous sweep (they parked in an earlier generation), and sets
// the next sweep while some are idle. Ending only half of them keeps a
// server whose load varies from starting drainers over and over; a server
// at rest still keeps none after a few sweeps.
func sweepDrainers() {
	drainers.mu.Lock()
	defer drainers.mu.Unlock()
	old := drainers.gen
	drainers.gen++
	// idle is in parking order, so by generation: the old ones first.
	unused := 0
	for unused < len(drainers.idle) && drainers.idle[unused].gen != old {
		unused++
	}
	end := (unused + 1) / 2
	for _, d := range drainers.idle[:end] {
		d.next <- nil
	}
	n := copy(drainers.idle, drainers.idle[end:])
	clear(drainers.idle[n:])
	drainers.idle = drainers.idle[:n]
	if n > 0 {
		drainers.timer.Reset(drainerSweep)
	} else {
		drainers.armed = false
	}
}

// currentLoop returns the loop whose task the calling goroutine is running, or nil.
func currentLoop() *EventLoop {
	if v, ok := drainers.byGID.Load(goid()); ok {
		return v.(*drainer).loop
	}
	return nil
}

// goid returns the calling goroutine's id, read from its stack header
// ("goroutine 123 [running]:"). The runtime offers no other way; it costs
// about a microsecond and is used only when a drainer starts and when a
// socket is created.
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
