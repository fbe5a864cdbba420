package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// checkOutputDir makes sure dir can be written later (--report-dir,
// --save-fixtures) before the run sends anything, without creating it: an
// existing dir must be a writable directory, a missing one must have a
// writable directory as its nearest existing ancestor. The error names the
// flag and the path: exit 2 before the first delivery, not after the run.
func checkOutputDir(flagName, dir string) error {
	if dir == "" {
		return nil
	}
	probe := filepath.Clean(dir)
	for {
		info, err := os.Stat(probe)
		switch {
		case err == nil && !info.IsDir():
			return usagef("%s %s: %s is not a directory", flagName, dir, probe)
		case err == nil:
			if err := writable(probe); err != nil {
				return usagef("%s %s: %s is not writable: %v", flagName, dir, probe, cause(err))
			}
			return nil
		case !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR):
			return usagef("%s %s: %v", flagName, dir, cause(err))
		}
		parent := filepath.Dir(probe)
		if parent == probe {
			return usagef("%s %s: no existing parent directory", flagName, dir)
		}
		probe = parent
	}
}

// writable creates and removes a file in dir.
func writable(dir string) error {
	f, err := os.CreateTemp(dir, ".mvh-write-check-*")
	if err != nil {
		return err
	}
	name := f.Name()
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Remove(name); err != nil {
		return fmt.Errorf("remove %s: %w", name, err)
	}
	return nil
}
