# PostgreSQL for the shared-state tests (tests/support/postgres.py runs its
# initdb and pg_ctl in a private temporary folder): Debian's server package.
POSTGRES_STAMP := $(TOOLS)/postgres.stamp

$(POSTGRES_STAMP):
	@mkdir -p -m 0700 $(TOOLS)
	@ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || { $(SUDO) apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql; }
	@ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null
	touch $@

TEST_TOOLS += $(POSTGRES_STAMP)
