package oneroster

import (
	"archive/zip"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
)

// OpenZip returns the files of a zip as a folder. Every entry must be a
// plain file at the top or in one folder (some exports wrap the set in
// one): a path with "..", a leading slash, a backslash or deeper folders is
// refused, so nothing can name a file outside the set.
func OpenZip(r io.ReaderAt, size int64) (fs.FS, error) {
	z, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("not a zip file: %w", err)
	}
	dirs := map[string]bool{}
	for _, f := range z.File {
		name := f.Name
		if strings.Contains(name, `\`) || strings.HasPrefix(name, "/") || !fs.ValidPath(strings.TrimSuffix(name, "/")) {
			return nil, fmt.Errorf("zip entry %q: a path outside the set", name)
		}
		if strings.HasSuffix(name, "/") {
			continue
		}
		dir := path.Dir(name)
		if strings.Contains(dir, "/") {
			return nil, fmt.Errorf("zip entry %q: folders nested more than one deep", name)
		}
		if dir != "." {
			dirs[dir] = true
		}
	}
	if _, err := fs.Stat(z, "manifest.csv"); err == nil {
		return z, nil
	}
	if len(dirs) == 1 {
		for d := range dirs {
			return fs.Sub(z, d)
		}
	}
	return z, nil
}
