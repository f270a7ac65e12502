package topology

// DynamoDB actions of the stores on their tables at run time. A
// TransactWriteItems call is authorized per operation it contains (Put,
// Update, Delete, ConditionCheck), so it has no action of its own; the
// outbox deletes relayed messages with BatchWriteItem.
var tableActions = []string{
	"dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem", "dynamodb:DeleteItem",
	"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem",
}

// DynamoDB actions of ApplyTables: the reads of validate and create mode,
// and the writes of create mode; the tag actions only for a plan with tags.
// Assume mode reads each table's key schema only (tableAssumeActions).
var (
	tableReadActions   = []string{"dynamodb:DescribeTable", "dynamodb:DescribeTimeToLive", "dynamodb:ListTagsOfResource"}
	tableCreateActions = []string{"dynamodb:CreateTable", "dynamodb:TagResource", "dynamodb:UpdateTimeToLive"}
	tableAssumeActions = []string{"dynamodb:DescribeTable"}
)

// tableStatements returns the provisioning statements of the plan's
// tables in mode: reading them, and in create mode creating them; in
// assume mode reading their descriptions alone.
func (b iamBuilder) tableStatements(mode Provisioning) []IAMStatement {
	if mode == ProvisionAssume {
		return []IAMStatement{allow("ReadTables", b.tableARNs(), tableAssumeActions...)}
	}
	out := []IAMStatement{allow("ReadTables", b.tableARNs(), b.tagged(tableReadActions...)...)}
	if mode == ProvisionCreate {
		out = append(out, allow("CreateTables", b.tableARNs(), b.tagged(tableCreateActions...)...))
	}
	return out
}

// tableARNs returns the sorted, distinct ARNs of the plan's tables.
func (b iamBuilder) tableARNs() []string {
	return b.arns("dynamodb", each(b.plan.Tables, func(t Table) string { return "table/" + t.Name }))
}
