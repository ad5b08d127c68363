module github.com/wsstack/websocket/interop

go 1.26

require (
	github.com/chromedp/chromedp v0.23.1
	github.com/coder/websocket v1.8.15
	github.com/gorilla/websocket v1.5.3
	github.com/lxzan/gws v1.8.9
	github.com/wsstack/websocket v0.0.0-00010101000000-000000000000
)

require (
	github.com/chromedp/cdproto v0.160.1 // indirect
	github.com/dolthub/maphash v0.1.0 // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	github.com/klauspost/compress v1.17.9 // indirect
)

replace github.com/wsstack/websocket => ../
