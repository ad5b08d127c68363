module github.com/wsstack/websocket

go 1.26
