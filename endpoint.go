//go:build !js

package websocket

import (
	"context"
	"net"
	"strconv"
	"sync"
	"time"
)

// At most one connection per remote endpoint may be in the CONNECTING state
// (RFC 6455 section 4.1 step 2, API-40): the others wait their turn. The
// endpoint is the resolved IP address and port, so that two names of one
// host share a slot; when the name cannot be resolved here (a proxy may
// resolve it), the name itself is the key.
var endpoints struct {
	mu    sync.Mutex
	slots map[string]*endpointSlot
}

// endpointSlot is the connecting slot of one endpoint: a held slot is a
// full channel; users counts holders and waiters, so that the slot is
// forgotten only when nobody needs it.
type endpointSlot struct {
	ch    chan struct{}
	users int
}

// acquireEndpoint waits for the connecting slot of host:port and returns
// the function that frees it. ctx aborts the wait (Close while waiting).
// With resolve false (a proxy or the application's dialer resolves the
// name), the name is the key and is not looked up here; otherwise the
// look-up takes at most lookupTimeout (if positive), as the handshake's
// own look-up would, and a name that cannot be resolved is its own key
// (the handshake then fails on it).
func acquireEndpoint(ctx context.Context, host string, port int, resolve bool, lookupTimeout time.Duration) (release func(), err error) {
	key := host
	if resolve {
		lctx, cancel := ctx, context.CancelFunc(func() {})
		if lookupTimeout > 0 {
			lctx, cancel = context.WithTimeout(ctx, lookupTimeout)
		}
		ips, err := net.DefaultResolver.LookupIPAddr(lctx, host)
		cancel()
		if err == nil && len(ips) > 0 {
			key = ips[0].IP.String()
		} else if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	key = net.JoinHostPort(key, strconv.Itoa(port))

	endpoints.mu.Lock()
	if endpoints.slots == nil {
		endpoints.slots = make(map[string]*endpointSlot)
	}
	slot, ok := endpoints.slots[key]
	if !ok {
		slot = &endpointSlot{ch: make(chan struct{}, 1)}
		endpoints.slots[key] = slot
	}
	slot.users++
	endpoints.mu.Unlock()

	done := func(held bool) {
		endpoints.mu.Lock()
		if held {
			<-slot.ch
		}
		slot.users--
		if slot.users == 0 {
			delete(endpoints.slots, key)
		}
		endpoints.mu.Unlock()
	}
	select {
	case slot.ch <- struct{}{}:
		return func() { done(true) }, nil
	case <-ctx.Done():
		done(false)
		return nil, ctx.Err()
	}
}
