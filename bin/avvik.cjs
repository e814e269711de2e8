#!/usr/bin/env node
require("../dist/bundle/main.cjs");
