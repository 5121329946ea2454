-- wrk script for bench/webhook_ingest.py: one connection per thread, each posting its own file of pre-signed
-- bodies ("signature<TAB>body" lines) at a fixed rate (wrk2-style): request n of a thread is due at
-- start + (thread + n * threads) / rate, and its latency is measured from that due time, not from when it went
-- out, so a server that falls behind is charged for the wait (no coordinated omission). Rate 0: as fast as answered.
-- Environment: BENCH_BODIES (file prefix, thread k reads "<prefix>.<k>"), BENCH_RATE (requests/s, all threads),
-- BENCH_THREADS, BENCH_PATH, BENCH_OUT (where done() writes each thread's figures; "refused" lists the requests
-- answered other than 2xx or not at all).

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec *now);
]])
local clock = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

local threads, next_id = {}, 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local rate = tonumber(os.getenv("BENCH_RATE"))
  local count = tonumber(os.getenv("BENCH_THREADS"))
  interval = rate > 0 and 1000 * count / rate or 0 -- ms between this thread's requests
  offset = rate > 0 and 1000 * id / rate or 0
  requests = {}
  local path = os.getenv("BENCH_PATH")
  for line in io.lines(os.getenv("BENCH_BODIES") .. "." .. id) do
    local tab = line:find("\t", 1, true)
    local headers = { ["Content-Type"] = "application/json", ["X-Hub-Signature-256"] = line:sub(1, tab - 1) }
    table.insert(requests, wrk.format("POST", path, headers, line:sub(tab + 1)))
  end
  sent, latencies, refused, statuses = 0, {}, {}, {}
  answered = true -- whether the request in flight was answered (a socket error or the end leaves it unanswered)
end

local started, due

local function due_time(n)
  started = started or now_ms()
  return started + offset + n * interval
end

function delay()
  due = due_time(sent)
  return math.max(0, math.floor(due - now_ms()))
end

function request()
  if due == nil then -- wrk's check of the script, never sent
    return requests[1]
  end
  if not answered then
    refused[#refused + 1] = in_flight
  end
  in_flight, in_flight_due, due, answered = sent, interval > 0 and due or now_ms(), nil, false
  sent = sent + 1
  return requests[(in_flight % #requests) + 1]
end

function response(status, headers, body)
  answered = true
  latencies[#latencies + 1] = now_ms() - in_flight_due
  statuses[status] = (statuses[status] or 0) + 1
  if status < 200 or status > 299 then
    refused[#refused + 1] = in_flight
  end
end

function done(summary, latency, requests)
  local out = assert(io.open(os.getenv("BENCH_OUT"), "w"))
  for _, thread in ipairs(threads) do
    local codes = {}
    for status, n in pairs(thread:get("statuses")) do
      codes[#codes + 1] = status .. ":" .. n
    end
    out:write("thread ", thread:get("id"), " sent ", thread:get("sent"), "\n")
    out:write("statuses ", table.concat(codes, " "), "\n")
    local refused = thread:get("refused")
    if not thread:get("answered") then
      refused[#refused + 1] = thread:get("in_flight")
    end
    out:write("refused ", table.concat(refused, " "), "\n")
    out:write("latencies ", table.concat(thread:get("latencies"), " "), "\n")
  end
  local errors = summary.errors
  out:write("errors ", errors.connect, " ", errors.read, " ", errors.write, " ", errors.timeout, "\n")
  out:close()
end
