package sheet

import (
	"regexp"
	"strings"
)

// Codes lists every problem and duplicate code, in the order of their
// constants. A user interface translates by code; its test walks this
// list, and TestCodesListed fails when a Code constant is missing here.
var Codes = []string{
	CodeFileTooLarge, CodeTooManyRows, CodeCellTooLong, CodeUnzipTooLarge, CodeNotSpreadsheet,
	CodeEncoding, CodeSheetNotFound, CodeNoHeader, CodeNoName, CodeMapping, CodeCSV,
	CodeDateFormat, CodeDateAmbiguous, CodeDateTwoDigitYear, CodeDateImpossible,
	CodeValueUnknown, CodeInvalidField,
	CodeDuplicateInFile, CodeDuplicateRegister, CodeAlreadyImported,
	CodeRowTooLarge, CodeTimeLimit,
}

var trailingCode = regexp.MustCompile(`\s*\[([a-z0-9_]+)\]$`)

// SplitCode takes the code off a field error's message as this package
// writes it ("the file is empty [not_a_spreadsheet]", Problem.FieldError
// and the whole-file refusals): it returns the message without the code
// and the code, or the message unchanged and "" when it carries no code
// of Codes.
func SplitCode(message string) (reason, code string) {
	m := trailingCode.FindStringSubmatchIndex(message)
	if m == nil {
		return message, ""
	}
	c := message[m[2]:m[3]]
	for _, k := range Codes {
		if k == c {
			return strings.TrimSpace(message[:m[0]]), c
		}
	}
	return message, ""
}
