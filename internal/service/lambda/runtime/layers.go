package runtime

import (
	"path/filepath"
	"regexp"
	"strings"
)

// nodeMajor reads the major version out of a Node.js runtime name
// ("nodejs20.x" → "20").
var nodeMajor = regexp.MustCompile(`^nodejs(\d+)`)

// addLayerPaths points the search paths of the environment into the
// function's merged layers, where Lambda's documented layer paths lead
// (under /opt on AWS): python and python/lib/python3.X/site-packages (the
// running interpreter's version) on PYTHONPATH, nodejs/node_modules and
// nodejs/nodeNN/node_modules on NODE_PATH, bin on PATH and lib on
// LD_LIBRARY_PATH. They name the directory on the host, so they work
// whether or not the environment also sees it on /opt.
func (eng *Engine) addLayerPaths(vars map[string]string, fn *Function, rt string) {
	dir := fn.LayersDir
	if dir == "" {
		return
	}
	switch {
	case strings.HasPrefix(fn.Runtime, "python"):
		py := []string{}
		if v := eng.pythonVersion(fn.Runtime); v != "" {
			py = append(py, filepath.Join(dir, "python", "lib", "python"+v, "site-packages"))
		}
		py = append(py, filepath.Join(dir, "python"), vars["PYTHONPATH"])
		vars["PYTHONPATH"] = strings.Join(py, ":")
		vars["PYTHON_PATH"] = vars["PYTHONPATH"]
	case strings.HasPrefix(fn.Runtime, "nodejs"):
		node := []string{}
		if m := nodeMajor.FindStringSubmatch(fn.Runtime); m != nil {
			node = append(node, filepath.Join(dir, "nodejs", "node"+m[1], "node_modules"))
		}
		node = append(node, filepath.Join(dir, "nodejs", "node_modules"), vars["NODE_PATH"])
		vars["NODE_PATH"] = strings.Join(node, ":")
	}
	vars["PATH"] = insertBefore(vars["PATH"], "/opt/bin", filepath.Join(dir, "bin"))
	vars["LD_LIBRARY_PATH"] = insertBefore(vars["LD_LIBRARY_PATH"], "/opt/lib", filepath.Join(dir, "lib"))
}

// insertBefore puts entry into the colon-separated list before at, or at
// the end when at is not in it.
func insertBefore(list, at, entry string) string {
	parts := strings.Split(list, ":")
	for i, p := range parts {
		if p == at {
			return strings.Join(append(parts[:i:i], append([]string{entry}, parts[i:]...)...), ":")
		}
	}
	return list + ":" + entry
}

// pythonVersion is "3.X" of the interpreter that runs runtime rt, "" if
// unknown.
func (eng *Engine) pythonVersion(rt string) string {
	if _, err := eng.interpreter("python", rt); err != nil {
		return ""
	}
	eng.interpMu.Lock()
	defer eng.interpMu.Unlock()
	return eng.pyVersions[eng.interpreterName("python", rt)]
}
