"""A small threaded ibapi EClient/EWrapper for tests: records callbacks, waits on them."""

from __future__ import annotations

import threading
import time
from collections import defaultdict

from ibapi.client import EClient
from ibapi.contract import Contract
from ibapi.wrapper import EWrapper


def contract(**fields) -> Contract:
    c = Contract()
    for key, value in fields.items():
        setattr(c, key, value)
    return c


class RecordingApp(EWrapper, EClient):
    def __init__(self) -> None:
        EWrapper.__init__(self)
        EClient.__init__(self, self)
        self.events: dict[str, list] = defaultdict(list)
        self.cond = threading.Condition()
        self.thread: threading.Thread | None = None

    def record(self, name: str, *args) -> None:
        with self.cond:
            self.events[name].append(args)
            self.cond.notify_all()

    def wait_for(self, predicate, timeout: float = 10.0):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                result = predicate(self.events)
                if result:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"condition not met; events: {sorted(self.events)}")
                self.cond.wait(remaining)

    def start(self, port: int, client_id: int) -> RecordingApp:
        self.connect("127.0.0.1", port, client_id)
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()
        self.wait_for(lambda e: e["nextValidId"])
        return self

    def stop(self) -> None:
        self.disconnect()
        if self.thread:
            self.thread.join(5)

    # --- callbacks ---------------------------------------------------------------
    def nextValidId(self, orderId):
        self.record("nextValidId", orderId)

    def managedAccounts(self, accountsList):
        self.record("managedAccounts", accountsList)

    def error(self, reqId, errorTime, errorCode, errorString, advancedOrderRejectJson=""):
        self.record("error", reqId, errorCode, errorString)

    def contractDetails(self, reqId, cd):
        self.record("contractDetails", reqId, cd)

    def bondContractDetails(self, reqId, cd):
        self.record("bondContractDetails", reqId, cd)

    def contractDetailsEnd(self, reqId):
        self.record("contractDetailsEnd", reqId)

    def tickPrice(self, reqId, tickType, price, attrib):
        self.record("tickPrice", reqId, tickType, price)

    def tickSize(self, reqId, tickType, size):
        self.record("tickSize", reqId, tickType, size)

    def marketDataType(self, reqId, t):
        self.record("marketDataType", reqId, t)

    def tickSnapshotEnd(self, reqId):
        self.record("tickSnapshotEnd", reqId)

    def historicalData(self, reqId, bar):
        self.record("historicalData", reqId, bar)

    def historicalDataEnd(self, reqId, start, end):
        self.record("historicalDataEnd", reqId, start, end)

    def historicalDataUpdate(self, reqId, bar):
        self.record("historicalDataUpdate", reqId, bar)

    def historicalTicks(self, reqId, ticks, done):
        self.record("historicalTicks", reqId, ticks, done)

    def historicalTicksBidAsk(self, reqId, ticks, done):
        self.record("historicalTicksBidAsk", reqId, ticks, done)

    def historicalTicksLast(self, reqId, ticks, done):
        self.record("historicalTicksLast", reqId, ticks, done)

    def tickByTickBidAsk(self, reqId, time_, bp, ap, bs, as_, attrib):
        self.record("tbtBidAsk", reqId, bp, ap)

    def tickByTickAllLast(self, reqId, tt, time_, price, size, attrib, ex, sc):
        self.record("tbtLast", reqId, price, size)

    def realtimeBar(self, reqId, t, o, h, low, c, v, wap, count):
        self.record("realtimeBar", reqId, t, o, h, low, c)

    def updateMktDepthL2(self, reqId, pos, mm, op, side, price, size, smart):
        self.record("depthL2", reqId, pos, op, side, price, size)

    def updateMktDepth(self, reqId, pos, op, side, price, size):
        self.record("depth", reqId, pos, op, side, price, size)

    def securityDefinitionOptionParameter(self, reqId, ex, uc, tc, mult, exps, strikes):
        self.record("secDef", reqId, ex, uc, tc, mult, exps, strikes)

    def securityDefinitionOptionParameterEnd(self, reqId):
        self.record("secDefEnd", reqId)

    def openOrder(self, orderId, c, order, state):
        self.record("openOrder", orderId, c, order, state)

    def orderStatus(self, orderId, status, filled, remaining, avg, permId, parentId, last, clientId, whyHeld, mktCap):
        self.record("orderStatus", orderId, status, filled, remaining, avg)

    def openOrderEnd(self):
        self.record("openOrderEnd")

    def execDetails(self, reqId, c, execution):
        self.record("execDetails", reqId, c, execution)

    def execDetailsEnd(self, reqId):
        self.record("execDetailsEnd", reqId)

    def commissionAndFeesReport(self, report):
        self.record("commission", report)

    def position(self, account, c, pos, avgCost):
        self.record("position", account, c, pos, avgCost)

    def positionEnd(self):
        self.record("positionEnd")

    def accountSummary(self, reqId, account, tag, value, currency):
        self.record("accountSummary", reqId, account, tag, value, currency)

    def accountSummaryEnd(self, reqId):
        self.record("accountSummaryEnd", reqId)

    def updateAccountValue(self, key, val, currency, account):
        self.record("accountValue", key, val, currency, account)

    def updatePortfolio(self, c, pos, mp, mv, ac, upnl, rpnl, account):
        self.record("portfolio", c, pos, mp, mv)

    def updateAccountTime(self, t):
        self.record("accountTime", t)

    def accountDownloadEnd(self, account):
        self.record("accountDownloadEnd", account)

    def currentTime(self, t):
        self.record("currentTime", t)

    def pnl(self, reqId, daily, unrealized, realized):
        self.record("pnl", reqId, daily, unrealized, realized)

    def completedOrder(self, c, order, state):
        self.record("completedOrder", c, order, state)

    def completedOrdersEnd(self):
        self.record("completedOrdersEnd")

    def headTimestamp(self, reqId, headTimestamp):
        self.record("headTimestamp", reqId, headTimestamp)

    def pnlSingle(self, reqId, pos, dailyPnL, unrealizedPnL, realizedPnL, value):
        self.record("pnlSingle", reqId, pos, dailyPnL)

    def familyCodes(self, familyCodes):
        self.record("familyCodes", [(c.accountID, c.familyCodeStr) for c in familyCodes])

    def mktDepthExchanges(self, depthMktDataDescriptions):
        self.record("mktDepthExchanges", [d.exchange for d in depthMktDataDescriptions])

    def userInfo(self, reqId, whiteBrandingId):
        self.record("userInfo", reqId, whiteBrandingId)

    def currentTimeInMillis(self, timeInMillis):
        self.record("currentTimeInMillis", timeInMillis)

    def positionMulti(self, reqId, account, modelCode, contract, pos, avgCost):
        self.record("positionMulti", reqId, account, contract.conId, pos)

    def positionMultiEnd(self, reqId):
        self.record("positionMultiEnd", reqId)

    def accountUpdateMulti(self, reqId, account, modelCode, key, value, currency):
        self.record("accountUpdateMulti", reqId, account, key, value, currency)

    def accountUpdateMultiEnd(self, reqId):
        self.record("accountUpdateMultiEnd", reqId)

    def symbolSamples(self, reqId, descriptions):
        self.record("symbolSamples", reqId, [(d.contract.symbol, d.derivativeSecTypes) for d in descriptions])

    def marketRule(self, marketRuleId, priceIncrements):
        self.record("marketRule", marketRuleId, [(p.lowEdge, p.increment) for p in priceIncrements])

    def smartComponents(self, reqId, smartComponentMap):
        self.record("smartComponents", reqId, [c.exchange for c in smartComponentMap])

    def softDollarTiers(self, reqId, tiers):
        self.record("softDollarTiers", reqId, tiers)

    def tickOptionComputation(
        self, reqId, tickType, tickAttrib, impliedVol, delta, optPrice, pvDividend, gamma, vega, theta, undPrice
    ):
        self.record("optionComputation", reqId, tickType, impliedVol, delta, optPrice, undPrice)

    def histogramData(self, reqId, items):
        self.record("histogramData", reqId, [(i.price, i.size) for i in items])

    def scannerParameters(self, xml):
        self.record("scannerParameters", xml)

    def scannerData(self, reqId, rank, contractDetails, distance, benchmark, projection, legsStr):
        self.record("scannerData", reqId, rank, contractDetails.contract.symbol)

    def scannerDataEnd(self, reqId):
        self.record("scannerDataEnd", reqId)

    def newsProviders(self, newsProviders):
        self.record("newsProviders", [p.code for p in newsProviders])

    def historicalNewsEnd(self, requestId, hasMore):
        self.record("historicalNewsEnd", requestId, hasMore)

    def displayGroupList(self, reqId, groups):
        self.record("displayGroupList", reqId, groups)

    def displayGroupUpdated(self, reqId, contractInfo):
        self.record("displayGroupUpdated", reqId, contractInfo)

    def verifyCompleted(self, isSuccessful, errorText):
        self.record("verifyCompleted", isSuccessful, errorText)

    def verifyAndAuthCompleted(self, isSuccessful, errorText):
        self.record("verifyAndAuthCompleted", isSuccessful, errorText)

    def historicalSchedule(self, reqId, startDateTime, endDateTime, timeZone, sessions):
        self.record(
            "historicalSchedule", reqId, timeZone, [(s.startDateTime, s.endDateTime, s.refDate) for s in sessions]
        )
