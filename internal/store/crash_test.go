package store

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The crash test re-executes this test binary as a child that writes keys
// and prints each one only after its Update returned nil. The parent kills
// it with SIGKILL mid-stream, then checks that every acknowledged key
// survived. No timing is asserted: the kill lands wherever it lands.
const (
	crashDirEnv     = "KIRI_STORE_CRASH_DIR"
	crashWritersEnv = "KIRI_STORE_CRASH_WRITERS"
	crashAcks       = 400 // acknowledged keys to see before the kill
)

func TestCrashDurability(t *testing.T) {
	for _, writers := range []int{1, 8} {
		t.Run(fmt.Sprintf("writers=%d", writers), func(t *testing.T) {
			dir := t.TempDir()
			acked := runAndKill(t, dir, writers)
			checkAcked(t, dir, acked)
		})
	}
}

// runAndKill starts the child, kills it after crashAcks acknowledgements,
// and returns every key it acknowledged before dying.
func runAndKill(t *testing.T, dir string, writers int) []string {
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir, crashWritersEnv+"="+strconv.Itoa(writers))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// A safety net against a wedged child, not a timing assertion.
	watchdog := time.AfterFunc(time.Minute, func() { cmd.Process.Kill() })
	defer watchdog.Stop()
	var kill sync.Once
	acked := readAcks(out, func(n int) {
		if n >= crashAcks {
			kill.Do(func() { cmd.Process.Kill() })
		}
	})
	err = cmd.Wait()
	if len(acked) < crashAcks {
		t.Fatalf("child stopped after %d acks (%v): %s", len(acked), err, stderr.Bytes())
	}
	t.Logf("killed child after %d acknowledged writes (%v)", len(acked), err)
	return acked
}

// readAcks collects "ack KEY" lines until EOF, calling seen after each.
// A final line without its newline is ignored: it was never acknowledged.
func readAcks(r io.Reader, seen func(int)) []string {
	var acked []string
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return acked
		}
		if key, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), "ack "); ok {
			acked = append(acked, key)
			seen(len(acked))
		}
	}
}

func checkAcked(t *testing.T, dir string, acked []string) {
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.View(func(tx Tx) error {
		for _, key := range acked {
			v, ok := tx.Get([]byte(key))
			if !ok || string(v) != crashValue(key) {
				t.Errorf("acknowledged key %s: got %q, %v", key, v, ok)
			}
		}
		return nil
	})
	db := s.(*boltStore).db
	db.View(func(btx *bolt.Tx) error {
		for err := range btx.Check() {
			t.Errorf("database inconsistent: %v", err)
		}
		return nil
	})
}

func crashValue(key string) string {
	return key + strings.Repeat(".", 300) // several keys per page, splits often
}

// TestCrashHelper is the child process of TestCrashDurability.
func TestCrashHelper(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("helper process for TestCrashDurability")
	}
	writers, _ := strconv.Atoi(os.Getenv(crashWritersEnv))
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() { writeAndAck(s, w) })
	}
	wg.Wait()
}

// writeAndAck writes keys in separate Updates, printing each after Update
// returned nil. One Write per line keeps lines whole on the pipe.
func writeAndAck(s Store, w int) {
	for i := range 1_000_000 {
		key := fmt.Sprintf("w%d-%07d", w, i)
		err := s.Update(func(tx Tx) error { return tx.Put([]byte(key), []byte(crashValue(key))) })
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		if _, err := os.Stdout.WriteString("ack " + key + "\n"); err != nil {
			os.Exit(3) // parent gone
		}
	}
}
