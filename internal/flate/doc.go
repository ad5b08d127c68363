// Package flate is a raw DEFLATE compressor (RFC 1951) whose window can be
// set from 2^8 to 2^15 bytes: no back-reference reaches farther than the
// window. It exists for permessage-deflate (RFC 7692), where a peer may ask
// for a window smaller than 32 KiB (server_max_window_bits,
// client_max_window_bits): compress/flate's writer always uses 32 KiB, and
// zlib cannot do 2^8 at all. Decompression is left to compress/flate, whose
// reader handles every window.
//
// It was written from RFC 1951 alone. The pieces, one concern each:
//
//   - window.go: the input buffer (window plus lookahead), hash chains
//     keyed on four bytes, the longest-match search.
//   - fast.go: the Fast level's greedy parse over a single table of
//     positions keyed on five bytes (no chains), which steps faster over
//     data that does not match.
//   - parse.go: the LZ77 parse of the other levels: lazy, looking one
//     position ahead (Default, Best).
//   - block.go: blocks, each encoded as the smallest of dynamic Huffman,
//     fixed Huffman and stored.
//   - huffman.go: length-limited Huffman code lengths and canonical codes.
//   - bits.go, tables.go: the bit packing and the code tables of the format.
//   - writer.go, pool.go: the Writer API and the buffer pools.
//
// A Writer's stream never ends (no block has BFINAL set): Flush ends what
// was written with a sync flush (an empty stored block, 00 00 ff ff) and
// keeps the window for what follows (context takeover); Reset forgets it.
//
// # Memory
//
// A Writer holds two sets of buffers, both taken from pools shared by all
// writers of the same sizes, so an idle Writer costs about 100 bytes:
//
//   - the window, from the first Write until Release: the input buffer
//     (2^N bytes of history plus max(2^N, 4 KiB) of lookahead), the hash
//     heads (2^min(MemLevel+7, N+1) entries of 2 bytes) and the chain links
//     (2^N entries of 2 bytes), or at the Fast level its table
//     (2^min(MemLevel+7, N) entries of 4 bytes);
//   - the block encoder, from the first Write until Flush: the tokens of
//     one block (2^min(MemLevel+6, N+3) of 4 bytes) and the Huffman
//     tables (about 10 KiB), plus the output of a block.
//
// With the default MemLevel 8, in bytes (MemoryFor gives the figures; the
// Fast level's window is the smaller, its table taking less room than the
// chains):
//
//	window bits   window (Fast)   window (Default, Best)   encoder
//	     8             5584              6096                17832
//	     9             6864              7888                26024
//	    10             9424             11472                42408
//	    11            14544             18640                75176
//	    12            24784             32976                75176
//	    13            49360             65744                75176
//	    14            98512            131280                75176
//	    15           196816            196816                75176
//
// Park, after a Flush, keeps only the history (2^N bytes, in a buffer the
// Writer owns) and gives the window back; the next Write indexes the
// history again (about 55 µs at 15 bits, 8 µs at 12). The output is the
// same byte for byte, except at the Fast level, whose table held only some
// positions of the history and gets all of them back: there the output
// differs a little (it is as valid, and usually a little smaller).
//
// compress/flate's writer allocates 795 KiB at its default level and 1.2 MiB
// at BestSpeed, and keeps all of it for its lifetime.
//
// # Speed and ratio
//
// On generated JSON (go test -run '^$' -bench . -count 3), 2-core x86-64,
// compressed size as a share of the input, and speed:
//
//	one 1 MiB stream (BenchmarkStream)
//	ours Fast w15      19.8%   ~400 MB/s     compress/flate level 1   21.3%   ~230 MB/s
//	ours Default w15   14.0%    ~50 MB/s     compress/flate level 6   13.9%    ~60 MB/s
//	ours Best w15      13.6%    ~27 MB/s     compress/flate level 9   13.5%    ~29 MB/s
//	ours Fast w9       28.2%   ~200 MB/s     (compress/flate cannot)
//	ours Default w9    22.2%   ~110 MB/s
//
//	1 KiB messages, sync flush after each, context takeover (BenchmarkMessages)
//	ours Fast w15      23.2%   ~170 MB/s     compress/flate level 1   29.5%    ~75 MB/s
//	ours Default w15   17.0%    ~43 MB/s     compress/flate level 6   17.0%    ~42 MB/s
//	ours Default w9    26.6%    ~77 MB/s
//
//	the same without context takeover (Reset before each message)
//	ours Fast w15      37.1%   ~140 MB/s     compress/flate level 1   38.6%    ~57 MB/s
//	ours Default w15   35.5%    ~77 MB/s     compress/flate level 6   35.8%    ~41 MB/s
//
// bench/internal/flatecmp measures the Fast level beside compress/flate
// and klauspost/compress level 1 in one run; at 15 bits it is about as
// fast as klauspost/compress level 1 on 1 MiB streams and 64 KiB text
// messages, and faster on 1 KiB messages.
package flate
