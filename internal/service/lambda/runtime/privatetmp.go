package runtime

import (
	"os/exec"
	"path/filepath"
	"strings"
)

// start starts an environment's process, with its tmp directory as a
// private /tmp where the host allows it (see startWithPrivateTmp). A
// process whose own files (program, code, runtime or environment
// directory) lie under the host's /tmp would lose sight of them, so it
// shares the host's /tmp instead, with TMPDIR pointing at tmp as
// everywhere. The first reason private /tmp is not used is logged once.
func (eng *Engine) start(cmd *exec.Cmd, tmp string, dirs ...string) error {
	if eng.cfg.NoPrivateTmp {
		return cmd.Start()
	}
	if p := underTmp(append(dirs, cmd.Path, cmd.Dir)...); p != "" {
		eng.noPrivateTmp("lambda: functions share the host's /tmp: "+p+" is under it", nil)
		return cmd.Start()
	}
	started, err := startWithPrivateTmp(cmd, tmp)
	if started {
		return err
	}
	eng.noPrivateTmp("lambda: functions share the host's /tmp", err)
	return cmd.Start()
}

func (eng *Engine) noPrivateTmp(msg string, err error) {
	eng.tmpLogOnce.Do(func() {
		if err != nil {
			eng.cfg.Logger.Info(msg, "reason", err.Error())
		} else {
			eng.cfg.Logger.Info(msg)
		}
	})
}

// underTmp returns the first of paths that lies in /tmp, "" if none does.
func underTmp(paths ...string) string {
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
		if p == "/tmp" || strings.HasPrefix(p, "/tmp/") {
			return p
		}
	}
	return ""
}
