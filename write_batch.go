package websocket

import (
	"context"

	"github.com/wsstack/websocket/wsproto"
)

// batchMessage is a whole message for writeBatch.
type batchMessage struct {
	typ  MessageType
	data []byte
}

// batchFits reports how many of msgs, from the first, writeBatch would send
// in one write: as many whole frames as fit together in the write buffer,
// and at least one.
func (c *Conn) batchFits(msgs []batchMessage) int {
	if c.compressing() {
		return 1 // each message has its own compression: one at a time
	}
	room := c.cfg.writeBufSize
	n := 0
	for _, m := range msgs {
		size := wsproto.MaxHeaderSize + len(m.data)
		if size > room {
			break
		}
		room -= size
		n++
	}
	return max(n, 1)
}

// writeBatch sends msgs as Write would, each a whole message of one frame,
// in order; the frames of the first batchFits(msgs) of them go out in one
// write, and it returns how many it sent (an error stops it there). A queue
// of small messages then costs one system call instead of one each.
func (c *Conn) writeBatch(ctx context.Context, msgs []batchMessage) (int, error) {
	n := c.batchFits(msgs)
	if n == 1 {
		if err := c.Write(ctx, msgs[0].typ, msgs[0].data); err != nil {
			return 0, err
		}
		return 1, nil
	}
	for _, m := range msgs[:n] {
		if _, err := messageOpcode(m.typ, m.data); err != nil {
			return 0, err
		}
	}
	if err := c.msgLock.lock(ctx); err != nil {
		return 0, err
	}
	defer c.msgLock.unlock()
	if err := c.frameLock.lock(ctx); err != nil {
		return 0, err
	}
	defer c.frameLock.unlock()
	if c.writeErr != nil {
		return 0, c.writeErr
	}
	bp := c.wpool.Get().(*[]byte)
	defer c.wpool.Put(bp)
	buf := (*bp)[:0]
	for _, m := range msgs[:n] {
		op, _ := opcodeOf(m.typ) // checked above
		h, err := c.frameHeader(op, true, false, len(m.data))
		if err != nil {
			// The sending rules refuse a frame only after our close
			// frame, and then every frame: none of the batch is sent.
			return 0, err
		}
		buf = wsproto.AppendHeader(buf, h)
		start := len(buf)
		buf = append(buf, m.data...) // fits: batchFits counted it
		if h.Masked {
			wsproto.Mask(h.Mask, 0, buf[start:])
		}
	}
	release := c.writeDeadlineFor(ctx)
	_, err := c.nc.Write(buf)
	cancelled := release != nil && release()
	if err != nil {
		return 0, c.brokenWrite(ctx, err, cancelled)
	}
	return n, nil
}
