package runtime

import (
	"embed"
	"fmt"
	"os"
	"path/filepath"
)

// bootstrapFS holds kiri's own runtime clients for python* and nodejs*
// functions. They are written once per engine into its runtime directory
// (LAMBDA_RUNTIME_DIR) so interpreters can run them as ordinary files and
// tracebacks name a real path.
//
//go:embed bootstraps/bootstrap.py bootstraps/bootstrap.js
var bootstrapFS embed.FS

// writeBootstraps copies the embedded bootstraps into dir.
func writeBootstraps(dir string) error {
	for _, name := range []string{"bootstrap.py", "bootstrap.js"} {
		data, err := bootstrapFS.ReadFile("bootstraps/" + name)
		if err != nil {
			return fmt.Errorf("runtime: embedded %s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return fmt.Errorf("runtime: writing %s: %w", name, err)
		}
	}
	return nil
}
