package topology

import (
	"fmt"
	"regexp"
)

// accountPattern is an AWS account id: 12 digits.
var accountPattern = regexp.MustCompile(`^\d{12}$`)

// ValidateAccountID reports an account id that is not 12 digits. The empty
// id, for "find it", is valid.
func ValidateAccountID(id string) error {
	if id != "" && !accountPattern.MatchString(id) {
		return fmt.Errorf("AccountID: %q, want 12 digits", id)
	}
	return nil
}
