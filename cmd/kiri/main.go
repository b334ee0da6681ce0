// Command kiri runs an AWS cloud for event-driven IoT and serverless systems
// on one machine: every AWS API on one HTTP endpoint, state in a data
// directory (or in memory with --ephemeral).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/kiricloud/kiri/internal/app"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "kiri:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := app.ParseConfig(os.Args[1:], os.Getenv)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	k, err := app.Start(cfg, os.Stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stdout, "kiri %s ready on %s\n", app.Version, k.Endpoint())
	<-ctx.Done()
	return k.Close()
}
