package cli

import "fmt"

// checkMax refuses n, a command's --max, outside 1..limit (a usage
// error).
func checkMax(n, limit int) error {
	if n < 1 || n > limit {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("--max %d: want 1..%d", n, limit)}
	}
	return nil
}
