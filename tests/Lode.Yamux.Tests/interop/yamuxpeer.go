// yamuxpeer is the hashicorp/yamux end of Lode.Yamux's interop test (InteropTests.cs).
//
// Usage:
//
//	yamuxpeer dial ADDR  ROLE...   connect to ADDR and run a yamux client session
//	yamuxpeer listen     ROLE...   listen on 127.0.0.1:0, print "listening ADDR", run a yamux server session
//
// ROLE is one of:
//
//	open N SIZE   open N streams at once; on each send an 8-byte big-endian length and SIZE bytes, check that
//	              the same bytes come back followed by end of stream; ping; exit 0 ("ok") or 1
//	echo          accept streams until the session ends; on each read the length, echo that many bytes, close
//	sink          accept streams until the session ends; on each read to end of stream, answer the byte count
//	              (8 bytes, big-endian), close: the clone direction, for throughput
//
// Sessions use Gitaly's settings: keepalive off, 16 MiB max stream window on the server end.
package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"sync"

	"github.com/hashicorp/yamux"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "yamuxpeer:", err)
		os.Exit(1)
	}
	fmt.Println("ok")
}

func run(args []string) error {
	if len(args) < 2 {
		return fmt.Errorf("usage: yamuxpeer dial ADDR ROLE... | listen ROLE...")
	}
	cfg := yamux.DefaultConfig()
	cfg.EnableKeepAlive = false
	cfg.LogOutput = os.Stderr

	var session *yamux.Session
	var err error
	switch args[0] {
	case "dial":
		conn, err := net.Dial("tcp", args[1])
		if err != nil {
			return err
		}
		session, err = yamux.Client(conn, cfg)
		if err != nil {
			return err
		}
		args = args[2:]
	case "listen":
		lis, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		fmt.Printf("listening %s\n", lis.Addr())
		conn, err := lis.Accept()
		if err != nil {
			return err
		}
		lis.Close()
		cfg.MaxStreamWindowSize = 16 * 1024 * 1024
		session, err = yamux.Server(conn, cfg)
		if err != nil {
			return err
		}
		args = args[1:]
	default:
		return fmt.Errorf("unknown mode %q", args[0])
	}
	defer session.Close()

	switch args[0] {
	case "open":
		n, _ := strconv.Atoi(args[1])
		size, _ := strconv.Atoi(args[2])
		err = openStreams(session, n, size)
	case "echo":
		err = echoStreams(session)
	case "sink":
		err = sinkStreams(session)
	default:
		err = fmt.Errorf("unknown role %q", args[0])
	}
	return err
}

func pattern(stream, size int) []byte {
	data := make([]byte, size)
	x := uint32(stream*2654435761 + 1)
	for i := range data {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		data[i] = byte(x)
	}
	return data
}

func openStreams(session *yamux.Session, n, size int) error {
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if err := exchange(session, i, size); err != nil {
				errs <- fmt.Errorf("stream %d: %w", i, err)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		return err
	}
	if _, err := session.Ping(); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	return nil
}

func exchange(session *yamux.Session, i, size int) error {
	stream, err := session.OpenStream()
	if err != nil {
		return err
	}
	defer stream.Close()
	data := pattern(i, size)
	writeErr := make(chan error, 1)
	go func() {
		var hdr [8]byte
		binary.BigEndian.PutUint64(hdr[:], uint64(size))
		if _, err := stream.Write(hdr[:]); err != nil {
			writeErr <- err
			return
		}
		_, err := stream.Write(data)
		writeErr <- err
	}()
	got := make([]byte, size)
	if _, err := io.ReadFull(stream, got); err != nil {
		return fmt.Errorf("read echo: %w", err)
	}
	if err := <-writeErr; err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if !bytes.Equal(got, data) {
		return fmt.Errorf("echo differs")
	}
	var one [1]byte
	if n, err := stream.Read(one[:]); n != 0 || err != io.EOF {
		return fmt.Errorf("expected end of stream, got %d bytes, %v", n, err)
	}
	return nil
}

func echoStreams(session *yamux.Session) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		stream, err := session.AcceptStream()
		if err != nil {
			// The C# end closes the session when it is done.
			return nil
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer stream.Close()
			var hdr [8]byte
			if _, err := io.ReadFull(stream, hdr[:]); err != nil {
				fmt.Fprintln(os.Stderr, "echo: read length:", err)
				return
			}
			if _, err := io.CopyN(stream, stream, int64(binary.BigEndian.Uint64(hdr[:]))); err != nil {
				fmt.Fprintln(os.Stderr, "echo:", err)
			}
		}()
	}
}

func sinkStreams(session *yamux.Session) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		stream, err := session.AcceptStream()
		if err != nil {
			return nil
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer stream.Close()
			n, err := io.Copy(io.Discard, stream)
			if err != nil {
				fmt.Fprintln(os.Stderr, "sink:", err)
				return
			}
			var count [8]byte
			binary.BigEndian.PutUint64(count[:], uint64(n))
			if _, err := stream.Write(count[:]); err != nil {
				fmt.Fprintln(os.Stderr, "sink: answer:", err)
			}
		}()
	}
}
