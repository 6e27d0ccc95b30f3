"""Nationality adjectives (demonyms) of the world's countries, lowercase, each to its country's
name as the entity merge keys it (lowercase): "Malaysian Foreign Minister" is Malaysia's, "the
Burmese junta" Myanmar's. Written out here (no package ships them offline); an adjective shared by
two countries ("Congolese", "Korean") is left out, and so are words that are also names or
peoples beyond one country ("Lao", "Khmer"). Alternatives of one country are separated by "|".
"""
from __future__ import annotations

_BY_COUNTRY = {
    "afghanistan": "afghan", "albania": "albanian", "algeria": "algerian", "andorra": "andorran",
    "angola": "angolan", "argentina": "argentine|argentinian", "armenia": "armenian",
    "australia": "australian", "austria": "austrian", "azerbaijan": "azerbaijani|azeri",
    "bahamas": "bahamian", "bahrain": "bahraini", "bangladesh": "bangladeshi", "barbados": "barbadian",
    "belarus": "belarusian|belarussian", "belgium": "belgian", "belize": "belizean", "benin": "beninese",
    "bhutan": "bhutanese", "bolivia": "bolivian", "bosnia and herzegovina": "bosnian",
    "botswana": "botswanan", "brazil": "brazilian", "brunei": "bruneian", "bulgaria": "bulgarian",
    "burkina faso": "burkinabe", "burundi": "burundian", "cambodia": "cambodian",
    "cameroon": "cameroonian", "canada": "canadian", "cape verde": "cape verdean", "chad": "chadian",
    "chile": "chilean", "china": "chinese", "colombia": "colombian", "comoros": "comoran",
    "costa rica": "costa rican", "croatia": "croatian|croat", "cuba": "cuban", "cyprus": "cypriot",
    "czech republic": "czech", "denmark": "danish", "djibouti": "djiboutian", "dominican republic": "dominican",
    "ecuador": "ecuadorian|ecuadorean", "egypt": "egyptian", "el salvador": "salvadoran|salvadorean",
    "equatorial guinea": "equatoguinean", "eritrea": "eritrean", "estonia": "estonian",
    "eswatini": "swazi", "ethiopia": "ethiopian", "fiji": "fijian", "finland": "finnish",
    "france": "french", "gabon": "gabonese", "gambia": "gambian", "georgia": "georgian",
    "germany": "german", "ghana": "ghanaian", "greece": "greek", "grenada": "grenadian",
    "guatemala": "guatemalan", "guinea": "guinean", "guinea-bissau": "bissau-guinean", "guyana": "guyanese",
    "haiti": "haitian", "honduras": "honduran", "hungary": "hungarian", "iceland": "icelandic",
    "india": "indian", "indonesia": "indonesian", "iran": "iranian", "iraq": "iraqi", "ireland": "irish",
    "israel": "israeli", "italy": "italian", "ivory coast": "ivorian", "jamaica": "jamaican",
    "japan": "japanese", "jordan": "jordanian", "kazakhstan": "kazakh|kazakhstani", "kenya": "kenyan",
    "kiribati": "i-kiribati", "kosovo": "kosovar|kosovan", "kuwait": "kuwaiti", "kyrgyzstan": "kyrgyz",
    "laos": "laotian", "latvia": "latvian", "lebanon": "lebanese", "lesotho": "basotho",
    "liberia": "liberian", "libya": "libyan", "liechtenstein": "liechtensteiner",
    "lithuania": "lithuanian", "luxembourg": "luxembourgish", "madagascar": "malagasy",
    "malawi": "malawian", "malaysia": "malaysian", "maldives": "maldivian", "mali": "malian",
    "malta": "maltese", "mauritania": "mauritanian", "mauritius": "mauritian", "mexico": "mexican",
    "moldova": "moldovan", "monaco": "monegasque", "mongolia": "mongolian", "montenegro": "montenegrin",
    "morocco": "moroccan", "mozambique": "mozambican", "myanmar": "burmese|myanmar", "namibia": "namibian",
    "nepal": "nepalese|nepali", "netherlands": "dutch", "new zealand": "new zealander|zealander",
    "nicaragua": "nicaraguan", "niger": "nigerien", "nigeria": "nigerian", "north korea": "north korean",
    "north macedonia": "macedonian", "norway": "norwegian", "oman": "omani", "pakistan": "pakistani",
    "palau": "palauan", "palestine": "palestinian", "panama": "panamanian",
    "papua new guinea": "papua new guinean", "paraguay": "paraguayan", "peru": "peruvian",
    "philippines": "philippine|filipino", "poland": "polish", "portugal": "portuguese", "qatar": "qatari",
    "romania": "romanian", "russia": "russian", "rwanda": "rwandan", "samoa": "samoan",
    "saudi arabia": "saudi", "senegal": "senegalese", "serbia": "serbian|serb", "seychelles": "seychellois",
    "sierra leone": "sierra leonean", "singapore": "singaporean", "slovakia": "slovak|slovakian",
    "slovenia": "slovenian|slovene", "somalia": "somali", "south africa": "south african",
    "south korea": "south korean", "south sudan": "south sudanese", "spain": "spanish",
    "sri lanka": "sri lankan|lankan", "sudan": "sudanese", "suriname": "surinamese", "sweden": "swedish",
    "switzerland": "swiss", "syria": "syrian", "taiwan": "taiwanese", "tajikistan": "tajik",
    "tanzania": "tanzanian", "thailand": "thai", "timor-leste": "timorese", "togo": "togolese",
    "tonga": "tongan", "trinidad and tobago": "trinidadian", "tunisia": "tunisian", "turkey": "turkish",
    "turkmenistan": "turkmen", "tuvalu": "tuvaluan", "uganda": "ugandan", "ukraine": "ukrainian",
    "united arab emirates": "emirati", "united kingdom": "british", "united states": "american",
    "uruguay": "uruguayan", "uzbekistan": "uzbek", "vanuatu": "vanuatuan", "venezuela": "venezuelan",
    "vietnam": "vietnamese", "yemen": "yemeni", "zambia": "zambian", "zimbabwe": "zimbabwean",
}

# adjective -> country
DEMONYMS: dict[str, str] = {adj: country for country, adjs in _BY_COUNTRY.items() for adj in adjs.split("|")}
