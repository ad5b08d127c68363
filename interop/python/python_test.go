package python

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// python is Debian's interpreter, the one python3-websockets installs for.
const python = "/usr/bin/python3"

// requirePython skips or fails the test unless python can import websockets.
func requirePython(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(python); err != nil {
		requirePeer(t, python+" not found: install Debian's python3 and python3-websockets")
	}
	out, err := exec.Command(python, "-c", "import sys, websockets; print(websockets.__version__, sys.version.split()[0])").CombinedOutput()
	if err != nil {
		requirePeer(t, fmt.Sprintf("%s cannot import websockets (%v: %s): apt-get install -y python3-websockets", python, err, bytes.TrimSpace(out)))
	}
	t.Logf("websockets and python: %s", bytes.TrimSpace(out))
}

func scenarioContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), scenarioTimeout)
	t.Cleanup(cancel)
	return ctx
}

// TestPythonClient runs the websockets client against our server.
func TestPythonClient(t *testing.T) {
	requirePython(t)
	ctx := scenarioContext(t)
	url, saw := startOurServer(t)
	p := startPeer(t, "python websockets client", python, "-B", "client.py", url)
	checkPeerClient(t, ctx, p)
	checkServerSaw(t, ctx, saw, "the websockets client")
}

// TestPythonServer runs our client against a websockets server.
func TestPythonServer(t *testing.T) {
	requirePython(t)
	ctx := scenarioContext(t)
	p := startPeer(t, "python websockets server", python, "-B", "server.py")
	listening := p.expectLine(t, ctx, "event", "listening", nil)
	url := fmt.Sprintf("ws://127.0.0.1:%v/our-client", listening["port"])
	runOurClient(t, ctx, url, "the websockets server")
	checkPeerServer(t, ctx, p, "/our-client")
}

// TestScenarioFilesAgree checks that the Go side of the scenario is the
// same here and in interop/node.
func TestScenarioFilesAgree(t *testing.T) {
	ours, err := os.ReadFile("scenario_test.go")
	if err != nil {
		t.Fatal(err)
	}
	node, err := os.ReadFile("../node/scenario_test.go")
	if err != nil {
		t.Fatal(err)
	}
	ours = bytes.Replace(ours, []byte("package python\n"), []byte("package node\n"), 1)
	if !bytes.Equal(ours, node) {
		t.Error("interop/python/scenario_test.go and interop/node/scenario_test.go differ beyond their package clause: keep them the same")
	}
}
