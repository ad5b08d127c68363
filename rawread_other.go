//go:build !unix

package websocket

import (
	"context"
	"net"
)

// rawConn is unused where raw socket reads are not available.
type rawConn = any

func rawConnOf(net.Conn) rawConn { return nil }

// rawReader is unused where raw socket reads are not available.
type rawReader struct{}

func (c *Conn) initRawRead() {}

func (c *Conn) fillRaw(context.Context) error { panic("unreachable") }
