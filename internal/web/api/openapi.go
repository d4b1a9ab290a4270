package api

import _ "embed"

// openAPIDoc is the hand-written API description; a test keeps it and the
// route table in step.
//
//go:embed openapi.json
var openAPIDoc []byte
