//go:build !linux

package netpoll

import "syscall"

// Poller is unavailable on this system: New returns ErrUnsupported.
type Poller struct{}

// New returns ErrUnsupported: there is no epoll here.
func New(n int) (*Poller, error) { return nil, ErrUnsupported }

// Loops returns 0.
func (p *Poller) Loops() int { return 0 }

// Close does nothing.
func (p *Poller) Close() error { return nil }

// Register returns ErrUnsupported.
func (p *Poller) Register(r *Reg, rc syscall.RawConn, h Handler) error { return ErrUnsupported }

// Reg is a registration; none can be made here.
type Reg struct{}

// Unregister does nothing.
func (r *Reg) Unregister() {}

// Suspend does nothing.
func (r *Reg) Suspend() {}

// Resume reports false.
func (r *Reg) Resume() bool { return false }

// Wake does nothing.
func (r *Reg) Wake() {}
