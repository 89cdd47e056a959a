"""A loopback TCP proxy that delays traffic, to stand in for a network.

    python3 latency_proxy.py LISTEN_PORT UPSTREAM_PORT DELAY_MS

Every chunk from the client reaches the upstream (127.0.0.1 only) DELAY_MS
after it arrived, and every answer goes back after another DELAY_MS, so one
request/response costs about 2 x DELAY_MS more, as over a real link, while
many connections in flight overlap their waits. It runs until killed.
"""
import asyncio
import sys


async def pump(reader, writer, delay):
    queue = asyncio.Queue()
    loop = asyncio.get_running_loop()

    async def deliver():
        while True:
            due, data = await queue.get()
            if data is None:
                break
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
        writer.close()

    sender = asyncio.create_task(deliver())
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            queue.put_nowait((loop.time() + delay, data))
    except ConnectionError:
        pass
    queue.put_nowait((0, None))
    try:
        await sender
    except ConnectionError:
        pass


async def main(listen_port, upstream_port, delay):
    async def handle(client_reader, client_writer):
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", upstream_port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pump(client_reader, up_writer, delay), pump(up_reader, client_writer, delay))

    server = await asyncio.start_server(handle, "127.0.0.1", listen_port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) / 1000))
