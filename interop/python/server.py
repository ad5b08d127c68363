"""server.py: an echo server written with websockets, with
permessage-deflate, that speaks the subprotocol "superchat". It listens on
127.0.0.1 (a free port), reports that port, then each connection's opening
and closing, as lines of JSON, and runs until it is killed."""

import asyncio
import signal

import websockets

from scenario import close_info, report


async def echo(ws):
    report(event="open", path=ws.path, protocol=ws.subprotocol,
           extensions=", ".join(e.name for e in ws.extensions),
           offered=ws.request_headers.get("Sec-WebSocket-Extensions", ""))
    messages = 0
    try:
        async for msg in ws:
            messages += 1
            await ws.send(msg)
    except websockets.ConnectionClosed:
        pass  # any code other than 1000 and 1001
    await ws.wait_closed()
    report(event="close", path=ws.path, messages=messages, **close_info(ws))


async def main():
    stop = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set_result, None)
    async with websockets.serve(
        echo, "127.0.0.1", 0,
        subprotocols=["superchat"],
        compression="deflate",
        max_size=64 << 20,
    ) as server:
        report(event="listening", port=server.sockets[0].getsockname()[1])
        await stop


if __name__ == "__main__":
    asyncio.run(main())
