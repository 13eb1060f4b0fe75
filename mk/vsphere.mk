# vsphere driver tests: vcsim (govmomi's vSphere simulator) built from Debian's
# govmomi source in GOPATH mode, with the main package in tests/fakes/vcsim
# (Debian ships the simulator library but no vcsim command).
VCSIM := $(TOOLS)/vcsim
VCSIM_GOPATH := $(TOOLS)/vcsim-gopath
GOVMOMI_SRC := /usr/share/gocode/src/github.com/vmware/govmomi/simulator

$(VCSIM): tests/fakes/vcsim/main.go
	@command -v go >/dev/null && test -d $(GOVMOMI_SRC) || { \
		$(SUDO) apt-get update -q && $(SUDO) env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q golang-go golang-github-vmware-govmomi-dev; }
	umask 077 && mkdir -p $(VCSIM_GOPATH)/src/vcsim && chmod 0700 $(TOOLS) \
		&& cp tests/fakes/vcsim/main.go $(VCSIM_GOPATH)/src/vcsim/main.go \
		&& GO111MODULE=off GOFLAGS= GOPATH=$(abspath $(VCSIM_GOPATH)):/usr/share/gocode \
		GOCACHE=$(abspath $(TOOLS)/vcsim-gocache) go build -o $(VCSIM) vcsim

## vcsim: build the vSphere simulator the vsphere driver's tests run against
vcsim: $(VCSIM)
.PHONY: vcsim
TEST_TOOLS += $(VCSIM)
