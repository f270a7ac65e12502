package topology

import "slices"

// DynamoDB actions of the stores on their tables at run time. A
// TransactWriteItems call is authorized per operation it contains (Put,
// Update, Delete, ConditionCheck), so it has no action of its own.
var tableActions = []string{
	"dynamodb:ConditionCheckItem", "dynamodb:DeleteItem", "dynamodb:GetItem",
	"dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem",
}

// DynamoDB actions of ApplyTables: the reads of validate and create mode,
// and the writes of create mode.
var (
	tableReadActions   = []string{"dynamodb:DescribeTable", "dynamodb:DescribeTimeToLive"}
	tableCreateActions = []string{"dynamodb:CreateTable", "dynamodb:UpdateTimeToLive"}
)

// tableARNs returns the sorted, distinct ARNs of the plan's tables.
func (b iamBuilder) tableARNs() []string {
	out := make([]string, 0, len(b.plan.Tables))
	for _, t := range b.plan.Tables {
		out = append(out, b.arn("dynamodb", "table/"+t.Name))
	}
	slices.Sort(out)
	return slices.Compact(out)
}
