package topology

import (
	"fmt"
	"regexp"
	"strings"
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

// CheckKeyRegion reports a key ARN or alias ARN of another region than
// region, the region of the service's clients: SQS and SNS encrypt at
// rest, and a KMS client encrypts, only under a key of their own region.
// The error names both regions and the remedy. A key id or alias name
// resolves in the client's region, and an empty region is unknown:
// neither is reported, and a FIPS pseudo-region (fips-us-gov-west-1,
// us-gov-west-1-fips) is its region's. It makes no call.
func CheckKeyRegion(keyID, region string) error {
	if region == "" || !strings.HasPrefix(keyID, "arn:") {
		return nil
	}
	keyRegion := arnField(keyID, 3)
	if keyRegion == "" || keyRegion == withoutFIPS(region) {
		return nil
	}
	return fmt.Errorf("the key is in %s, the service in %s: SQS and SNS encryption and the envelope encryption "+
		"need a key in the service's region: name a key of %s (for a key shared across regions, its "+
		"multi-Region replica, mrk-…, in %s)", keyRegion, region, region, region)
}

// withoutFIPS is the region a FIPS pseudo-region the AWS SDK accepts
// (fips-<region>, <region>-fips) stands for, or region itself.
func withoutFIPS(region string) string {
	region = strings.TrimPrefix(region, "fips-")
	return strings.TrimSuffix(region, "-fips")
}
