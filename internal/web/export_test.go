package web

import "github.com/handover-project/handover/internal/web/httpx"

// Routes returns the route table (method, path, action) for the tests,
// which walk it whole (the access matrix, the canaries, the API
// description).
func (s *Server) Routes() []httpx.Route { return append([]httpx.Route(nil), s.routes...) }
