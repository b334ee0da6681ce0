package lambda

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
	"github.com/kiricloud/kiri/internal/request"
	"github.com/kiricloud/kiri/internal/store"
)

// A function's layers reach its environment as one directory, the layers'
// contents merged in order (a later layer's file replaces an earlier
// one's): the engine binds it on /opt where the host allows and points
// PYTHONPATH, NODE_PATH, PATH and LD_LIBRARY_PATH into it in any case.
// The directory is made once per list of layer versions, under the
// function's own directory (CodeRoot/<account>/<region>/<name>/layers-<hash>),
// when a configuration with those layers is stored, so it goes with the
// function's code, and holds its own links to (or copies of) the layers'
// files: deleting a layer version leaves functions configured with it
// working, as on AWS.

// usedLayer is a layer version a function configuration refers to.
type usedLayer struct {
	ref layerRef
	rec *layerVersion
}

// resolveFunctionLayers checks a configuration's Layers: at most five,
// each an existing version the function's account may use, no layer twice.
func (s *Service) resolveFunctionLayers(sc scope, arns []string) ([]usedLayer, error) {
	if len(arns) > maxFunctionLayers {
		return nil, lambdaapi.NewInvalidParameterValueException("Cannot reference more than %d layers.", maxFunctionLayers)
	}
	var out []usedLayer
	err := s.st.View(func(tx store.Tx) error {
		seen := map[string]bool{}
		for _, arn := range arns {
			ref, ok := parseLayerVersionArn(arn)
			if !ok {
				return lambdaapi.NewInvalidParameterValueException("Layer version %s does not exist.", arn)
			}
			if seen[ref.layerArn()] {
				return lambdaapi.NewInvalidParameterValueException("Two different versions of the same layer are not allowed to be referenced in the same function. %s", ref.layerArn())
			}
			seen[ref.layerArn()] = true
			rec, err := getLayerVersion(tx, ref, sc)
			if err != nil {
				return lambdaapi.NewInvalidParameterValueException("Layer version %s does not exist.", arn)
			}
			out = append(out, usedLayer{ref: ref, rec: rec})
		}
		return nil
	})
	return out, err
}

func layerSizes(layers []usedLayer) []int64 {
	var sizes []int64
	for _, l := range layers {
		sizes = append(sizes, l.rec.CodeSize)
	}
	return sizes
}

// checkCombinedSize holds the package and its layers, unzipped, to the
// function's unzipped size quota.
func checkCombinedSize(codeDir string, layers []usedLayer) error {
	if len(layers) == 0 {
		return nil
	}
	total := dirSize(codeDir)
	for _, l := range layers {
		total += l.rec.Unzipped
	}
	if total > maxUnzipped {
		return lambdaapi.NewInvalidParameterValueException("Function code combined with layers exceeds the maximum allowed size of %d bytes. The actual size is %d bytes.", maxUnzipped, total)
	}
	return nil
}

// layerMountDir is where the merged layers of a configuration live; ""
// without layers.
func (s *Service) layerMountDir(sc scope, name string, arns []string) string {
	if len(arns) == 0 {
		return ""
	}
	sum := sha256.Sum256([]byte(strings.Join(arns, "\n")))
	return filepath.Join(s.functionDir(sc, name), "layers-"+hex.EncodeToString(sum[:8]))
}

// buildLayerMount makes the merged directory of layers unless it exists.
// It is built aside and renamed into place, so concurrent builders and
// readers never see it half made.
func (s *Service) buildLayerMount(sc scope, name string, arns []string, layers []usedLayer) (string, error) {
	dir := s.layerMountDir(sc, name, arns)
	if dir == "" {
		return "", nil
	}
	if _, err := os.Stat(dir); err == nil {
		return dir, nil
	}
	tmp := dir + ".tmp-" + request.NewID()
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return "", err
	}
	for _, l := range layers {
		src := s.layerDir(l.ref.scope, l.rec.Rev)
		if err := mergeTree(src, tmp); err != nil {
			_ = os.RemoveAll(tmp)
			return "", err
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		_ = os.RemoveAll(tmp)
		if _, serr := os.Stat(dir); serr == nil {
			return dir, nil // another builder won
		}
		return "", err
	}
	return dir, nil
}

// layerMount is the merged layers of a configuration for the engine,
// built now if a configuration stored before had none (layers deleted
// since are left out); "" without layers.
func (s *Service) layerMount(sc scope, c *fnConfig) string {
	dir := s.layerMountDir(sc, c.Name, c.Layers)
	if dir == "" {
		return ""
	}
	if _, err := os.Stat(dir); err == nil {
		return dir
	}
	var layers []usedLayer
	for _, arn := range c.Layers {
		if l, err := s.resolveFunctionLayers(sc, []string{arn}); err == nil {
			layers = append(layers, l...)
		} else {
			s.log.Warn("lambda: layer of function unavailable", "function", c.Name, "layer", arn, "error", err)
		}
	}
	dir, err := s.buildLayerMount(sc, c.Name, c.Layers, layers)
	if err != nil {
		s.log.Warn("lambda: merging layers failed", "function", c.Name, "error", err)
		return ""
	}
	return dir
}

// dropUnusedLayerMounts removes merged layer directories that neither
// $LATEST nor a published version of the function uses any more.
func (s *Service) dropUnusedLayerMounts(ref fnRef) {
	used := map[string]bool{}
	err := s.st.View(func(tx store.Tx) error {
		f, err := getFunction(tx, ref)
		if err != nil {
			return err
		}
		used[filepath.Base(s.layerMountDir(ref.scope, ref.name, f.Latest.Layers))] = true
		return scanVersions(tx, ref.scope, ref.name, func(c *fnConfig) {
			used[filepath.Base(s.layerMountDir(ref.scope, ref.name, c.Layers))] = true
		})
	})
	if err != nil {
		return
	}
	entries, _ := os.ReadDir(s.functionDir(ref.scope, ref.name))
	for _, e := range entries {
		if n := e.Name(); strings.HasPrefix(n, "layers-") && !strings.Contains(n, ".tmp-") && !used[n] {
			_ = os.RemoveAll(filepath.Join(s.functionDir(ref.scope, ref.name), n))
		}
	}
}

// mergeTree adds src's files to dst, replacing what is there: hard links
// where the file system allows, copies otherwise.
func mergeTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil || rel == "." {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			if fi, err := os.Lstat(target); err == nil && !fi.IsDir() {
				_ = os.Remove(target)
			}
			return os.MkdirAll(target, 0o755)
		}
		if _, err := os.Lstat(target); err == nil {
			if err := os.RemoveAll(target); err != nil {
				return err
			}
		}
		if d.Type()&fs.ModeSymlink != 0 {
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		}
		if os.Link(path, target) == nil {
			return nil
		}
		return copyFile(path, target)
	})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, fi.Mode().Perm())
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// dirSize is the total size of the regular files under dir.
func dirSize(dir string) int64 {
	var total int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				total += fi.Size()
			}
		}
		return nil
	})
	return total
}

func writeFile(path string, data []byte) error { return os.WriteFile(path, data, 0o600) }

// prepareFunctionLayers resolves and checks a configuration's layers for
// CreateFunction and UpdateFunctionConfiguration.
func (s *Service) prepareFunctionLayers(_ context.Context, sc scope, arns []string) ([]usedLayer, error) {
	if len(arns) == 0 {
		return nil, nil
	}
	return s.resolveFunctionLayers(sc, arns)
}
