//go:build !linux

package websocket

import "github.com/wsstack/websocket/internal/netpoll"

// Off Linux, NewPoller fails: no connection is ever served by a Poller.

func pollable(*Conn) bool { return false }

func pollRegister(*Poller, *pollConn) error { return netpoll.ErrUnsupported }

func pollRead(rawConn, []byte) (int, error) { panic("unreachable") }

func pollWrite(rawConn, []byte) (int, error) { panic("unreachable") }

func pollWritev(rawConn, []byte, []byte) (int, error) { panic("unreachable") }
