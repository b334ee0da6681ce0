package app

import (
	"testing"

	"github.com/kiricloud/kiri/internal/api"
)

// parsedAtInit is read before any test runs, after every package linked
// into kiri has initialised.
var parsedAtInit = api.ModelsParsed()

// No package may parse a service model while the program starts: models
// load on a service's first request, which keeps start-up fast.
func TestNoModelParsedAtInit(t *testing.T) {
	if parsedAtInit != 0 {
		t.Fatalf("%d service models were parsed during package initialisation", parsedAtInit)
	}
}
