package topology

import (
	"fmt"
	"regexp"
)

// kmsKeyPattern accepts a key id (UUID or multi-region "mrk-" id), a key
// ARN, an alias name and an alias ARN.
var kmsKeyPattern = regexp.MustCompile(`^(` +
	`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}` +
	`|mrk-[0-9a-fA-F]{32}` +
	`|alias/[A-Za-z0-9/_-]{1,250}` +
	`|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key/[A-Za-z0-9-]+|alias/[A-Za-z0-9/_-]{1,250})` +
	`)$`)

// ValidateKMSKeyID reports whether id names a KMS key the way KMS accepts
// it for encryption: a key id (UUID or "mrk-…"), a key ARN, an alias name
// ("alias/…") or an alias ARN.
func ValidateKMSKeyID(id string) error {
	if !kmsKeyPattern.MatchString(id) {
		return fmt.Errorf("%q is not a key id, key ARN, alias (alias/…) or alias ARN", id)
	}
	return nil
}
