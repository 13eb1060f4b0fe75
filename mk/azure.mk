# The azure driver's tests run against Azurite, Microsoft's Azure Storage
# emulator, installed from npm into .tools/azurite (node and npm come from
# Debian when the machine has none).
AZURITE_VERSION ?= 3
AZURITE := $(TOOLS)/azurite/node_modules/.bin/azurite-blob

.PHONY: azurite
## azurite: install the Azure Blob emulator the azure driver's tests start
azurite: $(AZURITE)

$(AZURITE):
	@command -v npm >/dev/null || { $(SUDO) apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm; }
	mkdir -p -m 0700 $(TOOLS) $(TOOLS)/azurite
	cd $(TOOLS)/azurite && npm install --no-audit --no-fund --no-save --loglevel=error \
		--prefix . azurite@$(AZURITE_VERSION)
	test -x $@
	touch $@

TEST_TOOLS += azurite
