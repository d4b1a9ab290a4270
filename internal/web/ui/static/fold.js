// The officer's offline search keys: a port of the server's code fold
// (person.FoldCode) and of the name skeletons its searches compare
// (names.Normalize, names.TypedForms), so that a query typed at the
// crossing with no connection finds what the server would. The letter
// table of the skeleton comes from the server with the stage kit
// (names.SkeletonLetters), not copied here. The shared fixture
// internal/web/ui/testdata/offline/keys.json is checked against the Go
// functions by a Go test and against these by a browser test.
//
// Not ported: the romanisation of scripts the skeleton has no letters of
// (Devanagari, Sinhala, Chinese, Japanese…: names.romanizeOther). A word
// in those scripts is compared as written.
(function (global) {
  "use strict";

  var letters = {};

  // setLetters installs the skeleton's letter table (from the kit).
  function setLetters(t) {
    letters = t || {};
  }

  var reLetter = /\p{L}/u;
  var reMn = /\p{Mn}/u;
  var reLatin = /\p{Script=Latin}/u;
  var reLower = /\p{Ll}/u;
  var reSpace = /[\s\u0085\u200b\ufeff]/u;

  function cp(ch) {
    return ch.codePointAt(0);
  }
  function isLetter(ch) {
    return reLetter.test(ch);
  }

  // Script kinds, as names.ScriptKind.
  var NONE = 0, LATIN = 1, CYR = 2, MIXED = 3, OTHER = 4;

  function letterScript(ch) {
    var r = cp(ch);
    if (r < 0x80) {
      var l = r | 0x20;
      return l >= 0x61 && l <= 0x7a ? LATIN : NONE;
    }
    if (r >= 0x400 && r <= 0x45f) {
      return CYR;
    }
    if ((r >= 0x460 && r <= 0x52f) || (r >= 0x1c80 && r <= 0x1c8f) || (r >= 0x2de0 && r <= 0x2dff) || (r >= 0xa640 && r <= 0xa69f)) {
      return isLetter(ch) ? CYR : NONE;
    }
    if (reLatin.test(ch)) {
      return LATIN;
    }
    return isLetter(ch) ? OTHER : NONE;
  }

  function script(s) {
    var cyr = false, lat = false, oth = false;
    for (var ch of s) {
      switch (letterScript(ch)) {
        case CYR: cyr = true; break;
        case LATIN: lat = true; break;
        case OTHER: oth = true; break;
      }
    }
    if (oth) { return OTHER; }
    if (cyr && lat) { return MIXED; }
    if (cyr) { return CYR; }
    if (lat) { return LATIN; }
    return NONE;
  }

  var latinToCyr = {
    "A": "А", "a": "а", "B": "В", "C": "С", "c": "с", "E": "Е", "e": "е",
    "H": "Н", "I": "І", "i": "і", "K": "К", "k": "к", "M": "М", "O": "О",
    "o": "о", "P": "Р", "p": "р", "T": "Т", "X": "Х", "x": "х", "Y": "У",
    "y": "у", "J": "Ј", "j": "ј", "S": "Ѕ", "s": "ѕ",
    "Ë": "Ё", "ë": "ё", "Ï": "Ї", "ï": "ї"
  };
  var cyrToLatin = {};
  Object.keys(latinToCyr).forEach(function (l) { cyrToLatin[latinToCyr[l]] = l; });

  var apostrophes = "'`´ʼʹʺ‘’′″\"“”ˮ\u02bb\u0313·";
  var dashes = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d\u00ad";

  function isApostrophe(ch) { return apostrophes.indexOf(ch) >= 0; }
  function isDash(ch) { return dashes.indexOf(ch) >= 0; }

  function isWordRune(ch) {
    var r = cp(ch);
    if (r < 0x80) {
      var l = r | 0x20;
      return l >= 0x61 && l <= 0x7a;
    }
    if (r >= 0x400 && r <= 0x45f) {
      return true;
    }
    return isLetter(ch) || reMn.test(ch);
  }

  function foldRune(ch) {
    var r = cp(ch);
    if (r >= 0x41 && r <= 0x5a) { return String.fromCodePoint(r + 0x20); }
    if (r >= 0x410 && r <= 0x42f) { return String.fromCodePoint(r + 0x20); }
    if (r < 0x80 || (r >= 0x430 && r <= 0x44f)) { return ch; }
    var low = ch.toLowerCase();
    if (Array.from(low).length !== 1) {
      low = ch; // Go's unicode.ToLower maps one rune to one rune
    }
    if (low === "ё") { return "е"; }
    if (low === "ς") { return "σ"; }
    return low;
  }

  function dominantScript(word) {
    var cyrSure = 0, latSure = 0, cyrAll = 0, latAll = 0;
    for (var ch of word) {
      switch (letterScript(ch)) {
        case CYR:
          cyrAll++;
          if (!(ch in cyrToLatin)) { cyrSure++; }
          break;
        case LATIN:
          latAll++;
          if (!(ch in latinToCyr)) { latSure++; }
          break;
      }
    }
    if (cyrSure > latSure) { return CYR; }
    if (latSure > cyrSure) { return LATIN; }
    if (cyrAll > latAll) { return CYR; }
    return LATIN;
  }

  function hasLetterAhead(cs, i) {
    for (; i < cs.length; i++) {
      if (isLetter(cs[i])) { return true; }
      if (!isWordRune(cs[i]) && !isApostrophe(cs[i])) { return false; }
    }
    return false;
  }

  function writeWord(out, word) {
    var cyr = false, lat = false;
    for (var ch of word) {
      var k = letterScript(ch);
      if (k === CYR) { cyr = true; }
      if (k === LATIN) { lat = true; }
    }
    var mixed = cyr && lat;
    var dom = mixed ? dominantScript(word) : NONE;
    for (var c of word) {
      if (isApostrophe(c) || (cp(c) >= 0x300 && reMn.test(c))) {
        continue;
      }
      if (mixed) {
        var s = letterScript(c);
        if (s === LATIN && dom === CYR && c in latinToCyr) {
          c = latinToCyr[c];
        } else if (s === CYR && dom === LATIN && c in cyrToLatin) {
          c = cyrToLatin[c];
        }
      }
      out.push(foldRune(c));
    }
  }

  // normalize is names.Normalize.
  function normalize(s) {
    s = s.normalize("NFC");
    var cs = Array.from(s);
    var out = [];
    var pendingSpace = false;
    for (var i = 0; i < cs.length;) {
      var ch = cs[i];
      if (reSpace.test(ch)) {
        pendingSpace = out.length > 0;
        i++;
        continue;
      }
      if (isDash(ch)) {
        out.push("-");
        pendingSpace = false;
        i++;
        while (i < cs.length && reSpace.test(cs[i])) { i++; }
        continue;
      }
      if (isApostrophe(ch)) {
        i++;
        continue;
      }
      if (isWordRune(ch) && !isLetter(ch) && !hasLetterAhead(cs, i)) {
        i++;
        continue;
      }
      if (pendingSpace) {
        out.push(" ");
        pendingSpace = false;
      }
      if (!isWordRune(ch)) {
        out.push(foldRune(ch));
        i++;
        continue;
      }
      var end = i;
      while (end < cs.length && (isWordRune(cs[end]) || isApostrophe(cs[end]))) { end++; }
      writeWord(out, cs.slice(i, end).join(""));
      i = end;
    }
    return out.join("");
  }

  function foldDigits(w) {
    if (!/[0134]/.test(w)) { return w; }
    var n = 0;
    for (var ch of w) { if (isWordRune(ch)) { n++; } }
    if (n === 0) { return w; }
    var cyr = script(w) === CYR;
    var upper = true;
    for (var c of w) { if (reLower.test(c)) { upper = false; break; } }
    var out = "";
    for (var r of w) {
      switch (r) {
        case "0": r = cyr ? "о" : "o"; break;
        case "1": r = cyr ? "і" : "i"; break;
        case "3":
          if (!cyr) { out += r; continue; }
          r = "з";
          break;
        case "4":
          if (!cyr) { out += r; continue; }
          r = "ч";
          break;
      }
      if (upper) {
        var up = r.toUpperCase();
        r = Array.from(up).length === 1 ? up : r;
      }
      out += r;
    }
    return out;
  }

  function trimSet(s, set) {
    var cs = Array.from(s);
    var a = 0, b = cs.length;
    while (a < b && set.indexOf(cs[a]) >= 0) { a++; }
    while (b > a && set.indexOf(cs[b - 1]) >= 0) { b--; }
    return cs.slice(a, b).join("");
  }

  // Readings of ambiguous Latin letter groups (names.reading).
  var GOST = 2, GERMAN = 4, YO = 8, FRENCH = 16, KMU = 32, JDZH = 64, JKH = 128, SILENTH = 256;

  function isSkelVowel(c) {
    return c === "a" || c === "e" || c === "i" || c === "o" || c === "u";
  }

  function hasSkel(ch) {
    return Object.prototype.hasOwnProperty.call(letters, ch);
  }

  function stripMarks(s) {
    var out = "";
    for (var r of s) {
      var c = cp(r);
      if (c < 0x80 || (c >= 0x430 && c <= 0x44f) || hasSkel(r) || letterScript(r) === NONE) {
        out += r;
        continue;
      }
      var base = Array.from(r.normalize("NFD"))[0];
      if (base === r || (cp(base) >= 0x80 && !hasSkel(base))) {
        out += r;
        continue;
      }
      out += base;
    }
    return out;
  }

  function utf8Len(s) {
    return new TextEncoder().encode(s).length;
  }

  function frenchLike(n, marks) {
    if (n.indexOf("ou") >= 0 || (marks && /[éèêç]/.test(n))) {
      return true;
    }
    var words = n.split(/[ -]/);
    for (var k = 0; k < words.length; k++) {
      var w = Array.from(words[k]);
      if (utf8Len(words[k]) >= 4 && w.length >= 2 && w[w.length - 1] === "e") {
        var b = w[w.length - 2];
        if (cp(b) < 0x80 && !isSkelVowel(b) && b !== "y") {
          return true;
        }
      }
    }
    return false;
  }

  function slavicJ(n) {
    var cs = Array.from(n);
    for (var i = 1; i < cs.length; i++) {
      if (cs[i] === "j" && (cs[i - 1] === "i" || cs[i - 1] === "y") && (i + 1 === cs.length || !isSkelVowel(cs[i + 1]))) {
        return true;
      }
    }
    return /ovy|evy|ovi|evi|ivn|ovn/.test(n);
  }

  function foreignJ(n) {
    var cs = Array.from(n);
    var dzh = false, kh = false;
    for (var i = 0; i + 1 < cs.length; i++) {
      if (cs[i] !== "j" || !isSkelVowel(cs[i + 1])) { continue; }
      var start = i === 0 || cs[i - 1] === " " || cs[i - 1] === "-";
      if (start || !slavicJ(n)) { dzh = true; }
      if (start || cs[i - 1] === "e") { kh = true; }
    }
    return [dzh, kh];
  }

  function hStartsWord(n) {
    var cs = Array.from(n);
    for (var i = 0; i + 1 < cs.length; i++) {
      if (cs[i] === "h" && (i === 0 || cs[i - 1] === " " || cs[i - 1] === "-") && isSkelVowel(cs[i + 1])) {
        return true;
      }
    }
    return false;
  }

  var maxReadings = 8;

  function readings(n) {
    var rs = [];
    function add(r) { if (rs.length < maxReadings) { rs.push(r); } }
    var latin = false, other = false;
    for (var ch of n) {
      var c = cp(ch);
      if (c >= 0x80) { other = true; } else if (c >= 0x61 && c <= 0x7a) { latin = true; }
    }
    if (latin) {
      if (n.indexOf("x") >= 0 || n.indexOf("cz") >= 0) { add(GOST); }
      if (n.indexOf("ch") >= 0 && n.split("sch").join("").split("tsch").join("").indexOf("ch") >= 0 &&
        (n.indexOf("sch") >= 0 || n.indexOf("sz") >= 0 || n.indexOf("rz") >= 0 || n.indexOf("w") >= 0)) {
        add(GERMAN);
      }
      if (frenchLike(n, other)) { add(FRENCH); }
    }
    if (other) {
      if (/сг|кг|сч|шч/.test(n)) { add(KMU); }
    }
    var yo = ["ьо", "йо", "ъо", "yo", "io", "jo"];
    for (var i = 0; i < yo.length; i++) {
      if (((i < 3 && other) || (i >= 3 && latin)) && n.indexOf(yo[i]) >= 0) {
        add(YO);
        break;
      }
    }
    if (latin) {
      var fj = foreignJ(n);
      if (fj[0]) { add(JDZH); }
      if (fj[1]) { add(JKH); }
      if (hStartsWord(n)) { add(SILENTH); }
    }
    return rs;
  }

  // latinDigraph is names.latinDigraph over code points cs from i.
  function latinDigraph(cs, i, rd) {
    function at(k) { return i + k < cs.length ? cs[i + k] : ""; }
    function has(p) {
      for (var k = 0; k < p.length; k++) {
        if (at(k) !== p[k]) { return false; }
      }
      return true;
    }
    var c = cs[i];
    if (rd & FRENCH) {
      if (has("ou") && cs.length - i > 2 && isSkelVowel(at(2))) { return ["v", 2]; }
      if (has("ou")) { return ["u", 2]; }
      if (has("ch")) { return ["S", 2]; }
      if (c === "e" && (cs.length - i === 1 || at(1) === " " || at(1) === "-")) { return ["", 1]; }
    }
    switch (c) {
      case "b": case "d":
        return at(1) === "h" ? [c, 2] : [c, 1];
      case "a": case "e": case "i": case "o": case "u": case "f": case "l": case "m": case "n": case "r": case "v":
        return [c, 1];
      case "y":
        return ["i", 1];
      case "j":
        var n = at(1) === "h" ? 2 : 1;
        if (rd & JDZH) { return ["dZ", n]; }
        if (rd & JKH) { return ["g", n]; }
        return ["i", n];
      case "w":
        return ["v", 1];
      case "q":
        return ["k", 1];
      case "h":
        return ["g", 1];
      case "x":
        return rd & GOST ? ["g", 1] : ["ks", 1];
      case "s":
        if (has("shch")) { return ["S", 4]; }
        if (has("sch") || has("shh")) { return ["S", 3]; }
        if (has("sh") || has("sz")) { return ["S", 2]; }
        return ["s", 1];
      case "z":
        return at(1) === "h" ? ["Z", 2] : ["z", 1];
      case "k":
        return at(1) === "h" ? ["g", 2] : ["k", 1];
      case "g":
        return at(1) === "h" ? ["g", 2] : ["g", 1];
      case "c":
        switch (at(1)) {
          case "h":
            if (rd & GERMAN) { return ["g", 2]; }
            if (at(2) === "h") { return ["Q", 3]; }
            return ["Q", 2];
          case "z":
            return rd & GOST ? ["C", 2] : ["Q", 2];
          case "k":
            return ["k", 2];
          case "e": case "i": case "y":
            return ["C", 1];
        }
        return ["k", 1];
      case "t":
        if (has("tsch")) { return ["Q", 4]; }
        if (has("tsh")) { return ["Q", 3]; }
        if (has("tch")) { return ["Q", 3]; }
        if (has("ts") || has("tz")) { return ["C", 2]; }
        if (has("th")) { return ["t", 2]; }
        return ["t", 1];
      case "p":
        return at(1) === "h" ? ["f", 2] : ["p", 1];
    }
    return ["", 1];
  }

  var hangulInitial = ["g", "g", "n", "d", "d", "r", "m", "b", "b", "s", "s", "", "Q", "Q", "Q", "k", "t", "p", "g"];
  var hangulVowel = ["a", "e", "ia", "ie", "o", "e", "io", "ie", "o", "ua", "ue", "oe", "io", "u", "uo", "ue", "ui", "iu", "u", "ui", "i"];
  var hangulFinal = ["", "k", "k", "ks", "n", "n", "n", "t", "l", "lk", "lm", "lp", "ls", "lt", "lp", "l", "m", "p", "ps", "t", "t", "ng", "t", "t", "k", "t", "p", "t"];

  function pushAll(dst, s) {
    for (var ch of s) { dst.push(ch); }
  }

  // squeeze is names.squeeze over the array dst from start.
  function squeeze(dst, start, rd) {
    var w = start;
    for (var r = start; r < dst.length; r++) {
      var c = dst[r];
      if (c === "i" || c === "j") {
        var n = r + 1;
        while (n < dst.length && (dst[n] === "i" || dst[n] === "j")) { n++; }
        if (n < dst.length && isSkelVowel(dst[n]) && (r > start || dst[n] === "e")) {
          if (dst[n] === "o" && w > start && !isSkelVowel(dst[w - 1]) && !(rd & YO)) {
            dst[n] = "e";
          }
          r = n - 1;
          continue;
        }
        if (c === "j") { continue; }
      }
      if (w > start && dst[w - 1] === c) { continue; }
      dst[w] = c;
      w++;
    }
    dst.length = w;
    return dst;
  }

  // skeleton is names.appendSkeleton of the normalised text s.
  function skeleton(s, rd) {
    var cs = Array.from(stripMarks(s));
    var dst = [];
    var start = 0;
    for (var i = 0; i < cs.length;) {
      var c = cs[i];
      if (c === " " || c === "-") {
        squeeze(dst, start, rd);
        start = dst.length;
        i++;
        continue;
      }
      if (cp(c) < 0x80) {
        if (c === "h" && (rd & SILENTH) && dst.length === start && i + 1 < cs.length && isSkelVowel(cs[i + 1])) {
          i++;
          continue;
        }
        if (c === "d" && (rd & JDZH) && i + 1 < cs.length && cs[i + 1] === "j") {
          i++;
          continue;
        }
        var d = latinDigraph(cs, i, rd);
        pushAll(dst, d[0]);
        i += d[1];
        continue;
      }
      var r = c;
      i++;
      var next = i < cs.length ? cs[i] : "";
      if (r === "ο" && next === "υ") { dst.push("u"); i++; continue; }
      if (r === "ո" && next === "ւ") { dst.push("u"); i++; continue; }
      if ((rd & KMU) && next !== "") {
        if ((r === "с" || r === "ш") && (next === "г" || next === "ч")) { dst.push("S"); i++; continue; }
        if (r === "к" && next === "г") { dst.push("g"); i++; continue; }
      }
      if (next === "х" && "бдтпкчг".indexOf(r) >= 0) {
        if (r === "к") { dst.push("g"); } else { pushAll(dst, letters[r] || ""); }
        i++;
        continue;
      }
      if (r === "т" && next === "с") { dst.push("C"); i++; continue; }
      if (r === "т" && next === "ч") { dst.push("Q"); i++; continue; }
      var code = cp(r);
      if (code >= 0xac00 && code <= 0xd7a3) {
        var h = code - 0xac00;
        pushAll(dst, hangulInitial[Math.floor(h / 588)]);
        pushAll(dst, hangulVowel[Math.floor((h % 588) / 28)]);
        pushAll(dst, hangulFinal[h % 28]);
        continue;
      }
      if (hasSkel(r)) {
        pushAll(dst, letters[r]);
        continue;
      }
      if (letterScript(r) === OTHER) {
        dst.push(r);
      }
    }
    return squeeze(dst, start, rd).join("");
  }

  // prepared returns the skeleton of a name word and those of its other
  // readings (names.Prepare: skel, alt).
  function prepared(name) {
    var n = trimSet(normalize(foldDigits(name)), " .,-");
    if (n === "") {
      return { skel: "", alt: [] };
    }
    var skel = skeleton(n, 0);
    var alt = [];
    if (skel === "") {
      return { skel: skel, alt: alt };
    }
    readings(n).forEach(function (rd) {
      var a = skeleton(n, rd);
      if (a !== skel) {
        alt.push(a);
      }
    });
    return { skel: skel, alt: alt };
  }

  function lettersOnly(word) {
    if (word === "") { return false; }
    for (var ch of word) {
      if (ch !== "-" && !isLetter(ch) && !reMn.test(ch)) { return false; }
    }
    return true;
  }

  function appendNew(out, s) {
    if (s !== "" && out.indexOf(s) < 0) { out.push(s); }
  }

  // typedForms is names.TypedForms.
  function typedForms(word) {
    if (!lettersOnly(word)) { return []; }
    var p = prepared(word);
    if (p.skel === "") { return []; }
    var out = [p.skel];
    p.alt.forEach(function (a) { appendNew(out, a); });
    var cs = Array.from(word);
    // Go looks at the word's last byte: an ASCII letter here.
    if (utf8Len(word) >= 3 && "cszktgyij".indexOf(cs[cs.length - 1]) >= 0) {
      var s = prepared(cs.slice(0, -1).join("")).skel;
      appendNew(out, s);
    }
    return out;
  }

  // codeLookalike and codeTranslit are person.FoldCode's tables.
  var codeLookalike = {
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "У": "Y", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S"
  };
  var codeTranslit = {
    "Б": "B", "Г": "G", "Ґ": "G", "Д": "D", "Є": "IE", "Ж": "ZH", "З": "Z", "И": "I",
    "Ї": "I", "Й": "I", "Л": "L", "П": "P", "Ф": "F", "Ц": "TS", "Ч": "CH", "Ш": "SH",
    "Щ": "SHCH", "Ъ": "", "Ы": "Y", "Ь": "", "Э": "E", "Ю": "IU", "Я": "IA", "Ё": "E"
  };

  // foldCode is person.FoldCode.
  function foldCode(s) {
    var out = "";
    for (var ch of s) {
      var r = cp(ch);
      if ((r >= 0x30 && r <= 0x39) || (r >= 0x41 && r <= 0x5a)) {
        out += ch;
      } else if (r >= 0x61 && r <= 0x7a) {
        out += String.fromCodePoint(r - 0x20);
      } else if (r < 0x80) {
        continue;
      } else {
        var up = ch.toUpperCase();
        if (Array.from(up).length !== 1) { up = ch; }
        if (up in codeLookalike) {
          out += codeLookalike[up];
        } else if (up in codeTranslit) {
          out += codeTranslit[up];
        } else if (isLetter(up) || /\p{Nd}/u.test(up)) {
          out += up;
        }
      }
    }
    return out;
  }

  // trimPunct drops the punctuation around a word (sqlstore.trimPunct).
  function trimPunct(w) {
    return trimSet(w, ",;:.!?()[]{}\"«»„“”");
  }

  // serviceLike: a digit, and only letters, digits, hyphens and slashes.
  function serviceLike(w) {
    var digit = false;
    for (var ch of w) {
      if (/\p{Nd}/u.test(ch)) {
        digit = true;
      } else if (!(isLetter(ch) || ch === "-" || ch === "/")) {
        return false;
      }
    }
    return digit;
  }

  // queryTokens splits a search into its words, each with the word forms
  // and the code one of which a person must have as a prefix of its own
  // (the register search's queryTokens, with the groups on the kit's side).
  function queryTokens(text) {
    var out = [];
    var seen = {};
    normalize(text).split(" ").forEach(function (w) {
      w = trimPunct(w);
      if (w === "" || seen[w]) { return; }
      seen[w] = true;
      var t = { word: w, forms: typedForms(w), code: "" };
      if (serviceLike(w)) { t.code = foldCode(w); }
      out.push(t);
    });
    return out;
  }

  global.handoverFold = {
    setLetters: setLetters,
    normalize: normalize,
    typedForms: typedForms,
    foldCode: foldCode,
    queryTokens: queryTokens
  };
})(window);
