import Foundation
import TestSupport

/// Drives headless Chromium through the DevTools protocol over `--remote-debugging-pipe` (a small
/// Python script, standard library only): opens pages, types into labelled fields, clicks links and
/// buttons like a person, saves a screenshot of each page and fails on a missing element or an
/// error page.
enum ChromiumDriver {
    /// Runs the login → Central de Relatórios → Financeiro → Posição Financeira journey against the
    /// portal on `port`; returns the step log (one line per page) and the folder with screenshots
    /// and the downloaded PDF.
    static func journey(port: Int, root: String, password: String, today: String, future: String) async throws -> (log: String, folder: URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rp-chromium-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let script = folder.appendingPathComponent("drive.py")
        try Data(Self.script.utf8).write(to: script)
        let python = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".local/python/bin/python").path
        let interpreter = FileManager.default.isExecutableFile(atPath: python) ? python : try Tool.locate("python3")
        let output = try await Tool.run(interpreter, [
            script.path, try Tool.locate("chromium"), String(port), root, password, today, future, folder.path,
        ], timeout: .seconds(120))
        guard output.status == 0 else {
            throw TestFailure("chromium journey failed (\(output.status)):\n\(output.stdout)\n\(output.stderr.suffix(3000))")
        }
        return (output.stdout, folder)
    }

    static let script = #"""
    import base64, json, os, shutil, subprocess, sys, tempfile, time
    chromium, port, root, password, today, future, out = sys.argv[1:8]
    base = f"http://127.0.0.1:{port}"
    to_chrome_r, to_chrome_w = os.pipe()
    from_chrome_r, from_chrome_w = os.pipe()
    profile = tempfile.mkdtemp(prefix="rp-chromium-profile-")
    cmd = (f"exec '{chromium}' --headless --no-sandbox --disable-gpu --no-first-run --disable-extensions --lang=pt-BR "
           f"--remote-debugging-pipe --user-data-dir='{profile}' --window-size=1280,900 about:blank "
           f"3<&{to_chrome_r} 4>&{from_chrome_w} 2>/dev/null")
    proc = subprocess.Popen(["bash", "-c", cmd], pass_fds=(to_chrome_r, from_chrome_w))
    os.close(to_chrome_r); os.close(from_chrome_w)
    buffer = b""; next_id = 0
    def fail(message):
        print("FAIL: " + message); proc.kill(); shutil.rmtree(profile, ignore_errors=True); sys.exit(1)
    def call(method, params=None, session=None, timeout=30):
        global buffer, next_id
        next_id += 1; my_id = next_id
        message = {"id": my_id, "method": method, "params": params or {}}
        if session: message["sessionId"] = session
        os.write(to_chrome_w, json.dumps(message).encode() + b"\0")
        deadline = time.time() + timeout
        while time.time() < deadline:
            while b"\0" in buffer:
                raw, buffer = buffer.split(b"\0", 1)
                reply = json.loads(raw)
                if reply.get("id") == my_id:
                    if "error" in reply: fail(f"{method}: {reply['error']}")
                    return reply.get("result", {})
            chunk = os.read(from_chrome_r, 1 << 20)
            if not chunk: fail("chromium closed the pipe")
            buffer += chunk
        fail(f"timeout on {method}")
    target = call("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    call("Page.enable", session=session)
    call("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": out})
    def js(expression):
        result = call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session)
        if "exceptionDetails" in result: fail(f"script error in {expression}: {result['exceptionDetails']}")
        return result["result"].get("value")
    def wait_for(path, step):
        deadline = time.time() + 20
        while time.time() < deadline:
            if js("document.readyState") == "complete" and js("location.pathname") == path:
                return
            time.sleep(0.1)
        fail(f"{step}: expected {path}, at {js('location.href')}")
    def page(step, path, required):
        wait_for(path, step)
        title = js("document.title")
        if "Não encontrado" in title or "recusado" in title: fail(f"{step}: error page {title}")
        for selector in required:
            if not js(f"!!document.querySelector({json.dumps(selector)})"): fail(f"{step}: missing {selector}")
        # Every visible input has a label.
        unlabelled = js("[...document.querySelectorAll('input:not([type=hidden]),select')].filter(e => !document.querySelector('label[for=\"'+e.id+'\"]')).length")
        if unlabelled: fail(f"{step}: {unlabelled} form controls without a label")
        shot = call("Page.captureScreenshot", {"format": "png"}, session)["data"]
        name = os.path.join(out, step + ".png")
        with open(name, "wb") as f: f.write(base64.b64decode(shot))
        print(f"{step} {path} {title} screenshot={name}")
    def click(selector):
        if not js(f"!!document.querySelector({json.dumps(selector)})"): fail(f"nothing to click: {selector}")
        js(f"document.querySelector({json.dumps(selector)}).click()")
    def type_into(field, text):
        js(f"document.getElementById({json.dumps(field)}).focus()")
        js(f"document.getElementById({json.dumps(field)}).value = ''")
        call("Input.insertText", {"text": text}, session)
    call("Page.navigate", {"url": base + "/portal"}, session)
    page("1-login", "/portal/entrar", ["label[for=cnpj_raiz]", "input#cnpj_raiz", "label[for=senha]", "input#senha[type=password]"])
    type_into("cnpj_raiz", root); type_into("senha", password); click("form.bloco button[type=submit]")
    page("2-central-de-relatorios", "/portal/relatorios", ["a[href='/portal/relatorios/financeiro']", "form[action='/portal/sair']"])
    click("main a[href='/portal/relatorios/financeiro']")
    page("3-financeiro", "/portal/relatorios/financeiro", ["a[href='/portal/relatorios/financeiro/posicao']"])
    click("main a[href='/portal/relatorios/financeiro/posicao']")
    page("4-posicao-financeira", "/portal/relatorios/financeiro/posicao", ["label[for=data]", "input#data[type=date]", "button.principal"])
    if js("document.getElementById('data').value") != today: fail("the date field does not default to today")
    js(f"document.getElementById('data').value = {json.dumps(future)}")
    js("document.getElementById('data').removeAttribute('max')")
    click("button.principal")
    time.sleep(0.5)
    page("5-data-futura-recusada", "/portal/relatorios/financeiro/posicao", ["#erro[role=alert]"])
    print("error: " + js("document.getElementById('erro').textContent"))
    js(f"document.getElementById('data').value = {json.dumps(today)}")
    click("button.principal")
    deadline = time.time() + 30
    while time.time() < deadline:
        pdfs = [f for f in os.listdir(out) if f.endswith(".pdf")]
        if pdfs: print("downloaded " + pdfs[0]); break
        time.sleep(0.2)
    else:
        fail("the report PDF was not downloaded")
    click("form[action='/portal/sair'] button")
    page("6-saiu", "/portal/entrar", ["input#cnpj_raiz"])
    call("Browser.close")
    proc.wait(timeout=10)
    shutil.rmtree(profile, ignore_errors=True)
    """#
}
