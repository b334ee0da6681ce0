package lambda

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
	"github.com/kiricloud/kiri/internal/request"
)

// AWS's quotas for a deployment package uploaded directly.
const (
	maxZipped   = 50 << 20  // 52428800, CodeSizeZipped
	maxUnzipped = 262144000 // CodeSizeUnzipped
)

// codeInfo is an extracted deployment package.
type codeInfo struct {
	Sha256 string
	Size   int64
	Rev    string
}

// functionDir is where a function's packages live on disk.
func (s *Service) functionDir(sc scope, name string) string {
	return filepath.Join(s.cfg.CodeRoot, sc.account, sc.region, name)
}

// codeDir is the extracted package of one code revision.
func (s *Service) codeDir(sc scope, name, rev string) string {
	return filepath.Join(s.functionDir(sc, name), rev)
}

// storeCode checks and unpacks a package under a fresh revision directory
// and keeps the zip beside it (<rev>.zip) for GetFunction's code location.
// The caller removes it (dropCode) if the change it belongs to fails.
func (s *Service) storeCode(sc scope, name string, code *lambdaapi.FunctionCode) (codeInfo, error) {
	if code == nil || (len(code.ZipFile) == 0 && code.S3Bucket == nil && code.ImageUri == nil) {
		return codeInfo{}, lambdaapi.NewInvalidParameterValueException("Please provide a source for function code.")
	}
	if code.S3Bucket != nil || code.S3Key != nil {
		// TODO(s3): fetch the object through the S3 service once it exists.
		return codeInfo{}, lambdaapi.NewInvalidParameterValueException("kiri: Code.S3Bucket/S3Key is not supported yet; upload the package as Code.ZipFile.")
	}
	if code.ImageUri != nil {
		return codeInfo{}, lambdaapi.NewInvalidParameterValueException("kiri: container image functions (ImageUri) are not supported.")
	}
	if len(code.ZipFile) > maxZipped {
		return codeInfo{}, lambdaapi.NewRequestTooLargeException("Request must be smaller than %d bytes for the CreateFunction operation", maxZipped)
	}
	sum := sha256.Sum256(code.ZipFile)
	info := codeInfo{Sha256: base64.StdEncoding.EncodeToString(sum[:]), Size: int64(len(code.ZipFile)), Rev: request.NewID()}
	dir := s.codeDir(sc, name, info.Rev)
	if err := extractZip(code.ZipFile, dir); err != nil {
		_ = os.RemoveAll(dir)
		return codeInfo{}, err
	}
	if err := os.WriteFile(dir+".zip", code.ZipFile, 0o600); err != nil {
		_ = os.RemoveAll(dir)
		return codeInfo{}, err
	}
	return info, nil
}

// dropCode removes a revision that no stored version refers to.
func (s *Service) dropCode(sc scope, name, rev string) {
	dir := s.codeDir(sc, name, rev)
	_ = os.RemoveAll(dir)
	_ = os.Remove(dir + ".zip")
}

// errBadZip is a function, not a shared value: building it reads the
// model, which must not happen at program start, and each caller gets an
// error of its own.
func errBadZip() error {
	return lambdaapi.NewInvalidParameterValueException("Could not unzip uploaded file. Please check your file, then try to upload again.")
}

// extractZip unpacks data into dir. Entries may not leave dir (no "..",
// no absolute paths, no symlinks pointing out); Unix modes are kept so a
// provided runtime's bootstrap stays executable.
func extractZip(data []byte, dir string) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return errBadZip()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var total int64
	for _, f := range zr.File {
		n, err := extractEntry(f, dir, maxUnzipped-total)
		if err != nil {
			return err
		}
		total += n
	}
	return nil
}

func extractEntry(f *zip.File, dir string, budget int64) (int64, error) {
	name := strings.TrimPrefix(filepath.FromSlash(f.Name), string(filepath.Separator))
	if name == "" || !filepath.IsLocal(name) {
		if strings.Trim(f.Name, "/") == "" {
			return 0, nil
		}
		return 0, errBadZip()
	}
	target := filepath.Join(dir, name)
	mode := f.Mode()
	switch {
	case mode.IsDir():
		return 0, os.MkdirAll(target, 0o755)
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return 0, err
	}
	if !insideDir(dir, filepath.Dir(target)) {
		return 0, errBadZip()
	}
	if mode&os.ModeSymlink != 0 {
		return 0, extractSymlink(f, dir, target)
	}
	perm := mode.Perm() | 0o400 // zips made without Unix attributes carry 0
	if mode.Perm() == 0 {
		perm = 0o644
	}
	rc, err := f.Open()
	if err != nil {
		return 0, errBadZip()
	}
	defer rc.Close()
	out, err := os.OpenFile(target, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, perm)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(out, io.LimitReader(rc, budget+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, errBadZip()
	}
	if n > budget {
		return n, lambdaapi.NewInvalidParameterValueException("Unzipped size must be smaller than %d bytes", maxUnzipped)
	}
	return n, nil
}

func extractSymlink(f *zip.File, dir, target string) error {
	rc, err := f.Open()
	if err != nil {
		return errBadZip()
	}
	defer rc.Close()
	link, err := io.ReadAll(io.LimitReader(rc, 4096))
	if err != nil {
		return errBadZip()
	}
	// Judge the link from where it physically lands (its parent resolved).
	parent, err := filepath.EvalSymlinks(filepath.Dir(target))
	root, rerr := filepath.EvalSymlinks(dir)
	if err != nil || rerr != nil || filepath.IsAbs(string(link)) {
		return errBadZip()
	}
	rel, err := filepath.Rel(root, filepath.Join(parent, string(link)))
	if err != nil || (rel != "." && !filepath.IsLocal(rel)) {
		return errBadZip()
	}
	if err := os.Symlink(string(link), target); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("lambda: symlink %s: %w", target, err)
	}
	return nil
}

// insideDir reports whether path, with symlinks resolved, lies in dir: an
// earlier symlink entry must not let a later entry write outside.
func insideDir(dir, path string) bool {
	root, err1 := filepath.EvalSymlinks(dir)
	real, err2 := filepath.EvalSymlinks(path)
	if err1 != nil || err2 != nil {
		return false
	}
	rel, err := filepath.Rel(root, real)
	return err == nil && (rel == "." || filepath.IsLocal(rel))
}
