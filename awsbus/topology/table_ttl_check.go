package topology

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// CheckTTL reports, as a *DriftError (its Drift Kept), table t whose time
// to live is on, or being turned on, for another attribute than
// t.TTLAttribute: ApplyTables in create mode leaves it (see enableTTL), and
// until it moves DynamoDB deletes no item by t.TTLAttribute. A store whose
// records would otherwise never expire calls it after ApplyTables in create
// mode, to refuse to start on such a table. It reads the table's time to
// live (dynamodb:DescribeTimeToLive, which create mode's IAM policy grants)
// and reports nothing for a Table without TTLAttribute, nor for a time to
// live that is off or being turned off, which ApplyTables turns on, or
// validate mode reports.
func CheckTTL(ctx context.Context, api TablesAPI, t Table) error {
	if t.TTLAttribute == "" {
		return nil
	}
	status, attr, err := tableTTL(ctx, api, t.Name)
	if err != nil {
		return err
	}
	on := status == types.TimeToLiveStatusEnabled || status == types.TimeToLiveStatusEnabling
	if !on || attr == t.TTLAttribute {
		return nil
	}
	var report DriftReport
	report.keep("table", t.Name, "%s", otherTTL(t, attr))
	return &DriftError{Report: report}
}
