package node

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/wsstack/websocket/interop/internal/peerscenario"
)

// requireNode returns the node binary, or skips or fails the test.
func requireNode(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		peerscenario.RequirePeer(t, "node not found on PATH: install Debian's nodejs (apt-get install -y nodejs npm)")
	}
	if _, err := os.Stat(filepath.Join("node_modules", "ws", "package.json")); err != nil {
		peerscenario.RequirePeer(t, "the npm package ws is not installed in interop/node: run npm ci there")
	}
	if out, err := exec.Command(node, "-e", "process.stdout.write(require('ws/package.json').version)").Output(); err == nil {
		t.Logf("node %s, ws %s", nodeVersion(node), out)
	}
	return node
}

func nodeVersion(node string) string {
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return "?"
	}
	return string(out[:len(out)-1])
}

// TestNodeClient runs the ws client against our server.
func TestNodeClient(t *testing.T) {
	node := requireNode(t)
	ctx := peerscenario.Context(t)
	url, saw := peerscenario.StartOurServer(t)
	p := peerscenario.StartPeer(t, "node ws client", node, "client.js", url)
	peerscenario.CheckPeerClient(t, ctx, p)
	peerscenario.CheckServerSaw(t, ctx, saw, "the ws client")
}

// TestNodeServer runs our client against a ws server.
func TestNodeServer(t *testing.T) {
	node := requireNode(t)
	ctx := peerscenario.Context(t)
	p := peerscenario.StartPeer(t, "node ws server", node, "server.js")
	listening := p.ExpectLine(t, ctx, "event", "listening", nil)
	url := fmt.Sprintf("ws://127.0.0.1:%v/our-client", listening["port"])
	peerscenario.RunOurClient(t, ctx, url, "the ws server")
	peerscenario.CheckPeerServer(t, ctx, p, "/our-client")
}
