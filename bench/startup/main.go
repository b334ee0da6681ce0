// Command startup measures how long kiri takes from process start to its
// first answered request, and its resident memory once idle.
//
//	go build -o /tmp/kiri ./cmd/kiri && go run ./bench/startup -bin /tmp/kiri -runs 21
//
// The floor to compare with is any Go HTTP server taking the same flags:
//
//	package main
//
//	import ("flag"; "net/http")
//
//	func main() {
//		listen := flag.String("listen", "", "")
//		flag.Bool("ephemeral", false, "")
//		flag.String("log-level", "", "")
//		flag.Parse()
//		http.HandleFunc("/_kiri/health", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("{}")) })
//		http.ListenAndServe(*listen, nil)
//	}
package main

import (
	"bufio"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strings"
	"time"
)

func main() {
	bin := flag.String("bin", "./kiri", "kiri binary")
	runs := flag.Int("runs", 20, "number of starts")
	addr := flag.String("listen", "127.0.0.1:45666", "address to start kiri on")
	flag.Parse()
	var starts []time.Duration
	var rss []int
	for i := 0; i < *runs; i++ {
		d, kb, err := measure(*bin, *addr)
		if err != nil {
			fmt.Fprintln(os.Stderr, "startup:", err)
			os.Exit(1)
		}
		starts = append(starts, d)
		rss = append(rss, kb)
	}
	sort.Slice(starts, func(i, j int) bool { return starts[i] < starts[j] })
	sort.Ints(rss)
	fmt.Printf("start to first answer: median %v, min %v, max %v (%d runs)\n",
		starts[len(starts)/2].Round(100*time.Microsecond), starts[0].Round(100*time.Microsecond), starts[len(starts)-1].Round(100*time.Microsecond), *runs)
	fmt.Printf("idle RSS after first answer + 1s: median %.1f MiB\n", float64(rss[len(rss)/2])/1024)
}

// measure starts kiri, polls until the health endpoint answers, then waits
// a second and reads VmRSS.
func measure(bin, addr string) (time.Duration, int, error) {
	cmd := exec.Command(bin, "--ephemeral", "--listen", addr, "--log-level", "warn")
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	client := &http.Client{Timeout: time.Second}
	for time.Since(start) < 10*time.Second {
		resp, err := client.Get("http://" + addr + "/_kiri/health")
		if err == nil {
			resp.Body.Close()
			elapsed := time.Since(start)
			time.Sleep(time.Second)
			kb, err := rssKiB(cmd.Process.Pid)
			return elapsed, kb, err
		}
		time.Sleep(200 * time.Microsecond)
	}
	return 0, 0, fmt.Errorf("kiri did not answer within 10s")
}

func rssKiB(pid int) (int, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "VmRSS:") {
			var kb int
			_, err := fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(sc.Text(), "VmRSS:")), "%d", &kb)
			return kb, err
		}
	}
	return 0, fmt.Errorf("no VmRSS")
}
