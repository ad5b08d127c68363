package chromium

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's Chromium (apt-get install -y chromium).
const chromiumPath = "/usr/bin/chromium"

// Time limits.
const (
	browserStart = 60 * time.Second // starting Chromium
	pageTimeout  = 60 * time.Second // each page's work
)

// requireChromium skips the test without Chromium, or fails it under CI.
func requireChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err == nil {
		return
	}
	msg := fmt.Sprintf("%s not found: install Debian's Chromium with `apt-get install -y chromium fonts-liberation` (bash .ci/run does)", chromiumPath)
	if os.Getenv("CI") != "" {
		t.Fatal(msg + " (CI is set, so this is a failure)")
	}
	t.Skip("SKIPPING the Chromium test: " + msg)
}

// startBrowser starts headless Chromium with a fresh profile and returns
// the context of its first tab. The browser and every process it started
// are ended when the test ends.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	requireChromium(t)
	var (
		cmdMu sync.Mutex
		cmd   *exec.Cmd
	)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("user-data-dir", t.TempDir()),
		chromedp.WindowSize(900, 700),
		chromedp.WSURLReadTimeout(browserStart),
		chromedp.ModifyCmdFunc(func(c *exec.Cmd) {
			// A process group of its own, so that the cleanup can end the
			// browser and its children by the group's id; killed by the
			// kernel if the test process dies.
			c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
			cmdMu.Lock()
			cmd = c
			cmdMu.Unlock()
		}),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() {
		tctx, tcancel := context.WithTimeout(ctx, 5*time.Second)
		chromedp.Cancel(tctx)
		tcancel()
		cancelCtx()
		cancelAlloc()
		cmdMu.Lock()
		defer cmdMu.Unlock()
		if cmd != nil && cmd.Process != nil {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
	})
	// No timeout on the first call's context (it would end the browser);
	// a timer bounds the start instead.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("starting %s: %v", chromiumPath, err)
		}
	case <-time.After(browserStart):
		t.Fatalf("starting %s: no answer in %v", chromiumPath, browserStart)
	}
	if v, err := chromedp.Run(ctx, chromedp.Evaluate[string]("navigator.userAgent")); err == nil {
		t.Logf("browser: %s", v)
	}
	return ctx
}

// newTab opens another tab in the browser of ctx.
func newTab(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(ctx)
	t.Cleanup(cancel)
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("new tab: %v", err)
	}
	return tab
}

// logConsole logs what the page of ctx writes to its console, until the
// test ends.
func logConsole(t *testing.T, ctx context.Context, who string) {
	cctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	var (
		mu   sync.Mutex
		logs []string
	)
	go func() {
		defer close(done)
		for m, err := range chromedp.Console(cctx) {
			if err != nil {
				return
			}
			mu.Lock()
			logs = append(logs, m.String())
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		stop()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, l := range logs {
			t.Logf("%s console: %s", who, l)
		}
	})
}

// artifactDir returns where screenshots go: $ARTIFACTS, or the test's
// artifact directory.
func artifactDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("ARTIFACTS")
	if dir == "" {
		return t.ArtifactDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// screenshot saves a screenshot of the page of ctx as name in the artifact
// directory and prints its path.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	img, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot: %v", err)
		return
	}
	path := filepath.Join(artifactDir(t), name)
	if err := os.WriteFile(path, img, 0o644); err != nil {
		t.Errorf("screenshot: %v", err)
		return
	}
	t.Logf("screenshot: %s", path)
}
