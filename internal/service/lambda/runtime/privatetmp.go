package runtime

import (
	"os/exec"
	"path/filepath"
	"strings"
)

// start starts an environment's process, with its tmp directory as a
// private /tmp where the host allows it (see startWithPrivateTmp), and
// opt (the function's merged layers, "" for none) on /opt in the same
// mount namespace. A process whose own files (program, code, runtime or
// environment directory) lie under the host's /tmp would lose sight of
// them, so it shares the host's /tmp instead, with TMPDIR pointing at tmp;
// likewise /opt is left as the host's when one of them lies under /opt.
// The first reason private /tmp (or /opt) is not used is logged once.
func (eng *Engine) start(cmd *exec.Cmd, tmp, opt string, dirs ...string) error {
	if eng.cfg.NoPrivateTmp {
		return cmd.Start()
	}
	own := append(dirs, cmd.Path, cmd.Dir, opt)
	if p := underTmp(own...); p != "" {
		eng.noPrivateTmp("lambda: functions share the host's /tmp: "+p+" is under it", nil)
		return cmd.Start()
	}
	if opt != "" {
		if p := underDir("/opt", own...); p != "" {
			eng.noPrivateOpt("lambda: layers are not mounted on /opt: "+p+" is under it", nil)
			opt = ""
		}
	}
	// Inside, the temporary directory is /tmp, as on AWS.
	shared := cmd.Env
	cmd.Env = withTmpDir(shared, "/tmp")
	started, err, optErr := startWithPrivateMounts(cmd, tmp, opt)
	if optErr != nil {
		eng.noPrivateOpt("lambda: layers are not mounted on /opt", optErr)
	}
	if started {
		return err
	}
	cmd.Env = shared
	eng.noPrivateTmp("lambda: functions share the host's /tmp", err)
	return cmd.Start()
}

// withTmpDir is env with TMPDIR, TMP and TEMP set to dir.
func withTmpDir(env []string, dir string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if name == "TMPDIR" || name == "TMP" || name == "TEMP" {
			kv = name + "=" + dir
		}
		out = append(out, kv)
	}
	return out
}

func (eng *Engine) noPrivateTmp(msg string, err error) {
	eng.tmpLogOnce.Do(func() { eng.logReason(msg, err) })
}

func (eng *Engine) noPrivateOpt(msg string, err error) {
	eng.optLogOnce.Do(func() { eng.logReason(msg, err) })
}

func (eng *Engine) logReason(msg string, err error) {
	if err != nil {
		eng.cfg.Logger.Info(msg, "reason", err.Error())
	} else {
		eng.cfg.Logger.Info(msg)
	}
}

// underTmp returns the first of paths that lies in /tmp, "" if none does.
func underTmp(paths ...string) string { return underDir("/tmp", paths...) }

// underDir returns the first of paths that lies in root, "" if none does.
func underDir(root string, paths ...string) string {
	for _, p := range paths {
		if p == "" {
			continue
		}
		if abs, err := filepath.Abs(p); err == nil {
			p = abs
		}
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		if p == root || strings.HasPrefix(p, root+"/") {
			return p
		}
	}
	return ""
}
