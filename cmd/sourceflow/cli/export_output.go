package cli

import "fmt"

// outputFailed is export's usage error for -o path failing with err.
func outputFailed(path string, err error) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf("export: -o %s: %w", path, err)}
}
