package topology

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// assumeTables checks, for ProvisionAssume, what the stores cannot work
// without and what one DescribeTable per table tells: that each table
// exists and has the key schema of its Table. A table made elsewhere with
// other keys would refuse every request of the stores as invalid, and
// every message would be dead-lettered, so it fails the start instead,
// with a *DriftError naming the table, its keys and the keys wanted; a
// missing table fails with ErrNotFound. Billing mode, time to live and tags
// are not read: assume mode's IAM policy grants dynamodb:DescribeTable
// alone.
func assumeTables(ctx context.Context, api TablesAPI, tables []Table) error {
	var (
		missing []string
		report  DriftReport
	)
	for _, t := range tables {
		out, err := api.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(t.Name)})
		var notFound *types.ResourceNotFoundException
		switch {
		case errors.As(err, &notFound):
			missing = append(missing, t.Name)
		case hasErrorCode(err, "AccessDeniedException"):
			return fmt.Errorf("topology: describe table %s (assume mode reads each table's key schema: "+
				"grant dynamodb:DescribeTable, as sourceflow iam-policy --provisioning assume does): %w", t.Name, err)
		case err != nil:
			return fmt.Errorf("topology: describe table %s: %w", t.Name, err)
		default:
			t.sameKeys(out.Table, &report, " (the stores' requests would all be refused)")
		}
	}
	var errs []error
	if len(missing) > 0 {
		errs = append(errs, fmt.Errorf("tables %s: %w", strings.Join(missing, ", "), ErrNotFound))
	}
	if !report.OK() {
		errs = append(errs, &DriftError{Report: report})
	}
	return errors.Join(errs...)
}
