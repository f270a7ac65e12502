package awsbustest

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

const (
	maxAttributes   = 10
	maxMessageBytes = 1 << 20 // SQS message and SendMessageBatch limit
	maxBatchEntries = 10
	maxIDLength     = 128 // MessageGroupId and MessageDeduplicationId
	maxEntryIDChars = 80
)

// validBody reports whether s holds only the characters SQS accepts:
// #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
func validBody(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		switch {
		case r == 0x9 || r == 0xA || r == 0xD:
		case r >= 0x20 && r <= 0xD7FF:
		case r >= 0xE000 && r <= 0xFFFD:
		case r >= 0x10000 && r <= 0x10FFFF:
		default:
			return false
		}
	}
	return true
}

// validAttributeName applies the SQS rules for message attribute names.
func validAttributeName(name string) bool {
	if name == "" || len(name) > 256 || strings.HasPrefix(name, ".") ||
		strings.HasSuffix(name, ".") || strings.Contains(name, "..") {
		return false
	}
	lower := strings.ToLower(name)
	if strings.HasPrefix(lower, "aws.") || strings.HasPrefix(lower, "amazon.") {
		return false
	}
	for _, r := range name {
		if !isAlnum(r) && r != '_' && r != '-' && r != '.' {
			return false
		}
	}
	return true
}

func isAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// validFIFOID applies the rules for MessageGroupId and MessageDeduplicationId:
// 1-128 characters of alphanumerics and punctuation.
func validFIFOID(id string) bool {
	if id == "" || len(id) > maxIDLength {
		return false
	}
	for _, r := range id {
		if r > 0x7e || r < 0x21 {
			return false
		}
	}
	return true
}

// validEntryID applies the rules for batch entry ids.
func validEntryID(id string) bool {
	if id == "" || len(id) > maxEntryIDChars {
		return false
	}
	for _, r := range id {
		if !isAlnum(r) && r != '_' && r != '-' {
			return false
		}
	}
	return true
}

// checkAttributes validates message attributes and returns their size in
// bytes (name, type and value, as SQS counts them).
func checkAttributes(attrs map[string]types.MessageAttributeValue) (int, error) {
	if len(attrs) > maxAttributes {
		return 0, apiError("InvalidParameterValue", fmt.Sprintf(
			"Number of message attributes [%d] exceeds the allowed maximum [%d].", len(attrs), maxAttributes))
	}
	size := 0
	for name, v := range attrs {
		if !validAttributeName(name) {
			return 0, apiError("InvalidParameterValue", fmt.Sprintf("Message attribute name '%s' is invalid.", name))
		}
		dt := aws.ToString(v.DataType)
		switch {
		case strings.HasPrefix(dt, "String"), strings.HasPrefix(dt, "Number"):
			if aws.ToString(v.StringValue) == "" {
				return 0, apiError("InvalidParameterValue", fmt.Sprintf(
					"Message attribute '%s' must contain a non-empty value of type '%s'.", name, dt))
			}
			if !validBody(aws.ToString(v.StringValue)) {
				return 0, apiError("InvalidParameterValue", fmt.Sprintf(
					"Message attribute '%s' contains invalid characters.", name))
			}
		case strings.HasPrefix(dt, "Binary"):
			if len(v.BinaryValue) == 0 {
				return 0, apiError("InvalidParameterValue", fmt.Sprintf(
					"Message attribute '%s' must contain a non-empty value of type 'Binary'.", name))
			}
		default:
			return 0, apiError("InvalidParameterValue", fmt.Sprintf(
				"The type of message attribute '%s' is invalid.", name))
		}
		size += len(name) + len(dt) + len(aws.ToString(v.StringValue)) + len(v.BinaryValue)
	}
	return size, nil
}
